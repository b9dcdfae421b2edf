// Start page: choose a game, your role and an opponent; create the session; show the seat links.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  let games = [];

  function option(value, label) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function fillRoles() {
    const game = games.find((g) => g.name === $("game").value);
    $("role").replaceChildren(...(game ? game.roles.map((r) => option(r.name, r.label)) : []));
  }

  function showProblem(text) {
    $("problem").textContent = text;
    $("problem").hidden = !text;
  }

  async function create(event) {
    event.preventDefault();
    showProblem("");
    const kind = document.querySelector("input[name=kind]:checked").value;
    const body = { game: $("game").value, role: $("role").value, seed: Number($("seed").value || 0) };
    if (kind === "human") body.opponent = "human";
    else if (kind === "model") body.opponent = $("model").value.trim();
    else body.opponent = $("agent").value;
    if ($("api_base").value.trim()) body.api_base = $("api_base").value.trim();
    const response = await fetch("/api/sessions", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const data = await response.json();
    if (!response.ok) {
      showProblem(typeof data.detail === "string" ? data.detail : "please check the form");
      return;
    }
    const list = $("link-list");
    list.replaceChildren();
    for (const [role, link] of Object.entries(data.links)) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = link;
      a.className = "seat-link";
      a.dataset.role = role;
      a.textContent = new URL(link, location.href).href;
      li.append(role + ": ", a);
      list.append(li);
    }
    $("links").hidden = false;
  }

  async function init() {
    games = await (await fetch("/api/games")).json();
    $("game").replaceChildren(...games.map((g) => option(g.name, g.title + " (" + g.name + ")")));
    $("game").addEventListener("change", fillRoles);
    fillRoles();
    $("create").addEventListener("submit", create);
  }

  init();
})();
