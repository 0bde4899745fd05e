// Music on Hold page enhancements: drag-and-drop upload with a progress bar per file (upload, then
// transcoding via server-sent events) and drag reordering. Without this file the plain forms work.
"use strict";
(() => {
  const list = document.getElementById("moh-files");
  const form = document.getElementById("moh-upload");
  if (!list) return;
  const category = list.dataset.category;
  const csrf = list.dataset.csrf;
  const api = "/api/v1/moh/categories/" + encodeURIComponent(category);

  function row(name) {
    const li = document.createElement("li");
    li.className = "upload-row";
    const label = document.createElement("span");
    label.textContent = name;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-label", "Progress of " + name);
    const status = document.createElement("span");
    status.className = "upload-status";
    status.textContent = "uploading…";
    li.append(label, bar, status);
    document.getElementById("moh-progress").append(li);
    return { li, bar, status };
  }

  function report(ui, file) {
    ui.bar.value = 100;
    const before = file.loudness_before_lufs == null ? "silent" : file.loudness_before_lufs.toFixed(1) + " LUFS";
    const after = file.loudness_after_lufs == null ? "silent" : file.loudness_after_lufs.toFixed(1) + " LUFS";
    const secs = Math.round(file.duration_ms / 1000);
    ui.status.textContent = "done: " + Math.floor(secs / 60) + ":" + String(secs % 60).padStart(2, "0") +
      ", loudness " + before + " → " + after;
    ui.li.classList.add("upload-done");
    for (const w of file.warnings) {
      const p = document.createElement("p");
      p.className = "warning";
      p.textContent = "⚠ " + w;
      ui.li.append(p);
    }
    const reload = document.createElement("a");
    reload.href = "/moh/" + encodeURIComponent(category) + "#file-" + file.id;
    reload.textContent = " Show in list";
    ui.li.append(reload);
  }

  function follow(ui, job) {
    const events = new EventSource(job.events);
    events.addEventListener("progress", (e) => {
      const state = JSON.parse(e.data);
      ui.status.textContent = "transcoding…";
      ui.bar.value = 50 + Math.round(state.progress * 50);
    });
    events.addEventListener("done", (e) => { events.close(); report(ui, JSON.parse(e.data).file); });
    events.addEventListener("failed", (e) => {
      events.close();
      ui.status.textContent = "refused: " + JSON.parse(e.data).error;
      ui.li.classList.add("upload-failed");
    });
  }

  function upload(file) {
    const ui = row(file.name);
    const body = new FormData();
    body.append("file", file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", api + "/files?async=1");
    xhr.setRequestHeader("X-CSRF-Token", csrf);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) ui.bar.value = Math.round((e.loaded / e.total) * 50);
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (_) { /* shown below */ }
      if (xhr.status === 202 && answer.jobs) {
        ui.bar.value = 50;
        ui.status.textContent = "transcoding…";
        follow(ui, answer.jobs[0]);
      } else {
        ui.status.textContent = "refused: " + (answer.error || xhr.status);
        ui.li.classList.add("upload-failed");
      }
    });
    xhr.addEventListener("error", () => { ui.status.textContent = "upload failed (network)"; });
    xhr.send(body);
  }

  if (form) {
    const input = document.getElementById("moh-upload-input");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      for (const f of input.files) upload(f);
      input.value = "";
    });
    input.addEventListener("change", () => { for (const f of input.files) upload(f); input.value = ""; });
    // A drop zone must cancel dragenter and dragover, or the browser refuses the drop.
    const over = (e) => { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; form.classList.add("dragging"); };
    form.addEventListener("dragenter", over);
    form.addEventListener("dragover", over);
    form.addEventListener("dragleave", (e) => {
      if (!form.contains(e.relatedTarget)) form.classList.remove("dragging");
    });
    form.addEventListener("drop", (e) => {
      e.preventDefault();
      form.classList.remove("dragging");
      for (const f of e.dataTransfer.files) upload(f);
    });
  }

  // A file dropped beside the drop zone must not make the browser open it and leave the page.
  const carriesFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types).includes("Files");
  const outsideZone = (e) => !(form && form.contains(e.target));
  window.addEventListener("dragover", (e) => {
    if (!carriesFiles(e) || !outsideZone(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "none";
  });
  window.addEventListener("drop", (e) => { if (carriesFiles(e) && outsideZone(e)) e.preventDefault(); });

  // Drag reordering: dropping a file on another moves it to that position. The up/down buttons do
  // the same without a mouse.
  let dragged = null;
  const clearTargets = () => {
    for (const li of list.querySelectorAll(".drop-target")) li.classList.remove("drop-target");
  };
  list.addEventListener("dragstart", (e) => {
    dragged = e.target.closest("li.moh-file");
    if (!dragged) return;
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", dragged.dataset.id);
    dragged.classList.add("dragged");
  });
  list.addEventListener("dragover", (e) => {
    const target = e.target.closest("li.moh-file");
    if (!dragged || !target) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    clearTargets();
    if (target !== dragged) target.classList.add("drop-target");
  });
  list.addEventListener("dragenter", (e) => { if (dragged) e.preventDefault(); });
  list.addEventListener("dragend", () => {
    clearTargets();
    if (dragged) dragged.classList.remove("dragged");
    dragged = null;
  });
  list.addEventListener("drop", async (e) => {
    const target = e.target.closest("li.moh-file");
    const moving = dragged;
    clearTargets();
    if (!moving || !target || target === moving) return;
    e.preventDefault();
    const position = [...list.children].indexOf(target) + 1;
    const answer = await fetch(api + "/files/" + moving.dataset.id, {
      method: "PATCH",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ position }),
    });
    if (answer.ok) {
      // Show the new order (and the notice); a URL that differs only in its hash would not reload.
      const next = "/moh/" + encodeURIComponent(category) + "?done=moved&file=" + moving.dataset.id;
      if (next === window.location.pathname + window.location.search) window.location.reload();
      else window.location.assign(next + "#file-" + moving.dataset.id);
      return;
    }
    let message = String(answer.status);
    try { message = (await answer.json()).error || message; } catch (_) { /* keep the status */ }
    const status = document.createElement("p");
    status.className = "error";
    status.setAttribute("role", "alert");
    status.textContent = "Could not move the file: " + message;
    list.before(status);
  });
})();
