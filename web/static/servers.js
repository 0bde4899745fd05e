// Live holds on /servers: refresh the table from /api/v1/servers/holds every 3 s.
// The page is complete without this file; text is set with textContent only.
"use strict";
(() => {
  const table = document.querySelector("table[data-live-holds]");
  if (!table) return;
  const body = table.querySelector("tbody");
  const cell = (text, cls) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (cls) td.className = cls;
    return td;
  };
  const when = (ms) => new Date(ms).toISOString().replace("T", " ").slice(0, 19) + " UTC";
  const refresh = async () => {
    try {
      const response = await fetch(table.dataset.liveHolds, { credentials: "same-origin" });
      if (!response.ok) return;
      const { holds } = await response.json();
      const rows = holds.map((h) => {
        const tr = document.createElement("tr");
        tr.append(cell(h.server), cell(h.channel), cell(h.class), cell(when(h.since_ms)));
        return tr;
      });
      if (rows.length === 0) {
        const tr = document.createElement("tr");
        tr.className = "none";
        const td = cell("No call is on hold right now.", "muted");
        td.colSpan = 4;
        tr.append(td);
        rows.push(tr);
      }
      body.replaceChildren(...rows);
    } catch (_) {
      // Offline or signed out: keep the last list.
    }
  };
  setInterval(refresh, 3000);
})();
