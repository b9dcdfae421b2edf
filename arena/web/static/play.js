// A person's seat: their own preferences, the history with parsed moves, a message box whose
// parse is previewed, an offer builder, and live updates (server-sent events). All text from the
// server is set with textContent, never parsed as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const session = document.body.dataset.session;
  const token = new URLSearchParams(location.search).get("t") || "";
  let seat = null;
  let state = null;
  let busy = false;
  let again = false;
  let previewTimer = null;
  const BUILDABLE = ["offer", "accept", "reject", "walk_away"];  // other moves (say, ...) are written

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function fmt(v) {
    return typeof v === "number" ? v.toLocaleString("en-US", { maximumSignificantDigits: 4 }) : "?";
  }

  async function api(path, body) {
    const init = { headers: { "X-Seat-Token": token } };
    if (body !== undefined) {
      init.method = "POST";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch("/api/s/" + encodeURIComponent(session) + path, init);
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) {
      const detail = typeof data.detail === "string" ? data.detail : "the request was refused (" + response.status + ")";
      throw new Error(detail);
    }
    return data;
  }

  function fillTable(id, rows, keys) {
    $(id).tBodies[0].replaceChildren(...rows.map((row) => {
      const tr = el("tr");
      keys.forEach((k) => tr.append(el("td", row[k])));
      return tr;
    }));
  }

  function renderSeat() {
    document.title = seat.title + " · " + seat.you.label;
    $("title").textContent = seat.title;
    $("narrative").textContent = seat.narrative;
    $("you").textContent = seat.you.label;
    $("brief").textContent = seat.brief;
    fillTable("preferences", seat.preferences, ["issue", "values"]);
    fillTable("issues", seat.issues, ["name", "values", "meaning"]);
    $("offset").textContent = Math.abs(seat.offset) > 1e-9 ? "Your utility is " + fmt(seat.offset) + " plus these amounts." : "";
    $("reservation").textContent = fmt(seat.reservation);
    $("text").maxLength = seat.max_message;
    $("arg-text").maxLength = seat.max_argument;
    $("arg-kind").replaceChildren(...seat.argument_kinds.map((k) => { const o = el("option", k); o.value = k; return o; }));
    $("controls").replaceChildren(...seat.controls.map((c) => {
      const label = el("label", c.mine ? c.name + " (you get) " : c.name + " ");
      let input;
      if (c.kind === "choice") {
        input = el("select");
        c.values.forEach((v) => { const o = el("option", v); o.value = v; input.append(o); });
      } else {
        input = el("input");
        input.type = "number";
        input.min = c.min;
        input.max = c.max;
        input.step = c.kind === "integer" ? "1" : "any";
      }
      input.dataset.issue = c.name;
      input.dataset.kind = c.kind;
      input.className = "control";
      input.addEventListener("input", () => {
        if (!$("action").value && Array.from($("action").options).some((o) => o.value === "offer")) $("action").value = "offer";
        schedulePreview();
      });
      label.append(input);
      if (c.unit) label.append(" " + c.unit);
      return label;
    }));
  }

  function renderState() {
    const s = state;
    const them = seat.them.label;
    let status;
    if (s.ended) status = "The negotiation is over.";
    else if (s.your_turn) status = "Your turn (round " + (s.round + 1) + " of " + seat.max_rounds + "). You may: " + s.legal.join(", ").replace(/_/g, " ") + ".";
    else if (s.running) status = "Waiting for " + them + "…";
    else status = "The session is paused; it continues when the server resumes it.";
    $("status").textContent = status;
    $("standing").hidden = !s.standing;
    if (s.standing) {
      $("standing-by").textContent = s.standing.by === "you" ? "your offer" : them + "'s offer";
      $("standing-words").textContent = s.standing.words;
      $("standing-worth").textContent = fmt(s.standing.worth);
    }
    $("history").replaceChildren(...s.history.map((m) => {
      const li = el("li", null, m.who + (m.ok ? "" : " refused"));
      li.append(el("b", (m.who === "you" ? "You" : m.label) + ": ", "who"), el("span", m.text, "text"));
      let move = "→ " + m.move;
      if (m.worth !== null && m.worth !== undefined) move += " (worth " + fmt(m.worth) + " to you)";
      li.append(el("div", move, "move"));
      m.arguments.forEach((a) => li.append(el("div", "argument (" + a.kind + "): " + a.text, "argument")));
      if (m.problem) li.append(el("div", "not accepted: " + m.problem, "problem"));
      return li;
    }));
    $("problem").hidden = !s.problem;
    $("problem").textContent = s.problem ? "The referee did not accept that: " + s.problem : "";
    const actions = [["", "(read it from my message)"]].concat(s.legal.filter((k) => BUILDABLE.includes(k)).map((k) => [k, k.replace(/_/g, " ")]));
    const chosen = $("action").value;
    $("action").replaceChildren(...actions.map(([v, t]) => { const o = el("option", t); o.value = v; return o; }));
    if (actions.some(([v]) => v === chosen)) $("action").value = chosen;
    $("send").disabled = !s.your_turn;
    $("composer").hidden = s.ended;
    $("outcome").hidden = !s.ended;
    if (s.ended) {
      const out = $("outcome");
      out.replaceChildren(el("b", s.outcome === "agreement" ? "Deal: " + s.deal : "No deal (" + s.outcome + ")"),
        el("div", s.reason), el("div", "Your utility: " + fmt(s.your_utility) + " (no deal was worth " + fmt(s.your_reservation) + ")"));
      const a = el("a", "Replay the session (shows both sides' preferences)");
      a.href = "/replay/0/" + encodeURIComponent(session) + ".jsonl";
      out.append(el("div", ""), a);
    }
  }

  function message() {
    const body = { text: $("text").value };
    const action = $("action").value;
    if (action) {
      body.move = { action: action };
      if (action === "offer") {
        body.move.bundle = {};
        document.querySelectorAll(".control").forEach((input) => {
          const v = input.value;
          body.move.bundle[input.dataset.issue] = input.dataset.kind === "choice" ? v : (v === "" ? "" : Number(v));
        });
      }
    }
    const arg = $("arg-text").value.trim();
    if (arg) body.arguments = [{ kind: $("arg-kind").value, text: arg }];
    return body;
  }

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(showPreview, 200);
  }

  async function showPreview() {
    const body = message();
    const box = $("preview");
    if (!body.text.trim() && !body.move) { box.replaceChildren(); return; }
    try {
      const p = await api("/preview", body);
      if (!p.ok) { box.replaceChildren(el("span", "No move could be read: " + p.reason, "warn")); return; }
      const parts = [el("span", "Read as " + p.move)];
      if (p.worth !== undefined && p.worth !== null) parts.push(el("span", "; that deal is worth " + fmt(p.worth) + " to you"));
      if (p.below_reservation) parts.push(el("span", " (less than no deal!)", "warn"));
      if (p.problems && p.problems.length) parts.push(el("span", " — " + p.problems.join("; "), "warn"));
      if (p.legal === false) parts.push(el("span", " — not a legal move now", "warn"));
      box.replaceChildren(...parts);
    } catch (e) {
      box.replaceChildren(el("span", e.message, "warn"));
    }
  }

  async function send(event) {
    event.preventDefault();
    $("send").disabled = true;
    try {
      await api("/say", message());
      $("text").value = "";
      $("arg-text").value = "";
      $("action").value = "";
      $("preview").replaceChildren();
    } catch (e) {
      $("preview").replaceChildren(el("span", e.message, "warn"));
    }
    refresh();
  }

  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const data = await api("/state");
      if (!seat) { seat = data.seat; renderSeat(); }
      state = data.state;
      renderState();
      $("loading").hidden = true;
      $("page").hidden = false;
      document.body.dataset.version = String(data.version);
    } catch (e) {
      $("loading").textContent = e.message;
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }

  $("composer").addEventListener("submit", send);
  ["text", "arg-text"].forEach((id) => $(id).addEventListener("input", schedulePreview));
  ["action", "arg-kind"].forEach((id) => $(id).addEventListener("change", schedulePreview));
  refresh();
  const events = new EventSource("/api/s/" + encodeURIComponent(session) + "/events?t=" + encodeURIComponent(token));
  events.onmessage = refresh;
})();
