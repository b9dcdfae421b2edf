// Replay page: step through the turns (buttons or arrow keys); "show all" shows every row.
"use strict";
(function () {
  const rows = Array.from(document.querySelectorAll("#steps tr.step"));
  let index = -1;

  function show(i) {
    index = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((row, k) => {
      row.hidden = k > index;
      row.classList.toggle("current", k === index);
    });
    document.getElementById("position").textContent = rows.length ? (index + 1) + " / " + rows.length : "no messages";
    document.getElementById("end").hidden = index < rows.length - 1;
  }

  function all() {
    rows.forEach((row) => { row.hidden = false; row.classList.remove("current"); });
    index = rows.length - 1;
    document.getElementById("position").textContent = rows.length + " / " + rows.length;
    document.getElementById("end").hidden = false;
  }

  document.getElementById("prev").addEventListener("click", () => show(index - 1));
  document.getElementById("next").addEventListener("click", () => show(index + 1));
  document.getElementById("all").addEventListener("click", all);
  document.addEventListener("keydown", (e) => {
    if (e.key === "ArrowLeft") show(index - 1);
    if (e.key === "ArrowRight") show(index + 1);
  });
  all();
})();
