// The stampede control page: refreshes the run and the workers every 2s
// from the JSON API, and sends its forms to it, showing each error next to
// the field it names. No library, no build step.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var ints = {users: true, replicas: true};
  var floats = {spawn_rate: true, rate: true};

  function text(el, s) { if (el) { el.textContent = s; } }
  function cell(tr, s) { var td = document.createElement("td"); td.textContent = s; tr.appendChild(td); }

  function elapsed() {
    var el = document.getElementById("run-elapsed");
    if (!el) { return; }
    var start = Date.parse(el.dataset.started);
    var end = el.dataset.stopped ? Date.parse(el.dataset.stopped) : Date.now();
    var s = Math.max(0, Math.round((end - start) / 1000));
    text(el, Math.floor(s / 3600) + "h " + Math.floor(s / 60) % 60 + "m " + s % 60 + "s");
  }

  function get(path) {
    return fetch(path, {credentials: "same-origin", cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error(path + ": " + r.status); }
      return r.json();
    });
  }

  function showStatus(st) {
    text(document.getElementById("generation"), st.generation);
    var w = st.workers;
    text(document.getElementById("workers-summary"),
      w.live + " live · " + w.desired + " desired · " + w.ready + " ready" + (w.scaler_error ? " · scaler: " + w.scaler_error : ""));
    var run = st.run;
    var pageRun = document.getElementById("run-id");
    if (run && (!pageRun || pageRun.textContent !== run.id)) { location.reload(); return; }
    if (!run) { return; }
    var state = document.getElementById("run-state");
    if (state && state.textContent !== run.state) { location.reload(); return; }
    text(document.getElementById("run-users"),
      st.active_users + " active of " + st.target_users + " wanted (spawn rate " + run.spawn_rate + "/s)");
    var th = document.getElementById("thresholds");
    var rows = th ? th.querySelectorAll("tr") : [];
    (st.thresholds || []).forEach(function (t, i) {
      var tr = rows[i + 1];
      if (!tr || tr.children.length < 3) { return; }
      text(tr.children[1], t.value);
      var span = document.createElement("span");
      span.className = t.passed ? "pass" : "fail";
      span.textContent = t.passed ? "PASS" : "FAIL";
      tr.children[2].replaceChildren(span);
    });
  }

  function showWorkers(ws) {
    var body = document.querySelector("#workers tbody");
    if (!body) { return; }
    var now = Date.now();
    var rows = ws.map(function (w) {
      var tr = document.createElement("tr");
      cell(tr, w.id); cell(tr, w.metrics_addr || ""); cell(tr, w.state); cell(tr, w.users);
      cell(tr, (w.rate || 0).toFixed(1) + "/s"); cell(tr, Math.round((w.cpu || 0) * 100) + "%");
      cell(tr, ((now - Date.parse(w.last_heartbeat)) / 1000).toFixed(1) + "s ago"); cell(tr, w.version || "");
      return tr;
    });
    body.replaceChildren.apply(body, rows);
  }

  function refresh() {
    return Promise.all([get("/api/v1/status").then(showStatus), get("/api/v1/workers").then(showWorkers)])
      .catch(function (e) { console.warn("refresh:", e.message); });
  }

  function body(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.value === "") { return; }
      if (ints[el.name]) { out[el.name] = parseInt(el.value, 10); }
      else if (floats[el.name]) { out[el.name] = parseFloat(el.value); }
      else { out[el.name] = el.value; }
    });
    return out;
  }

  function submit(ev) {
    ev.preventDefault();
    var form = ev.target;
    form.querySelectorAll(".err").forEach(function (el) { el.textContent = ""; });
    var headers = {"Content-Type": "application/json"};
    if (csrf) { headers["X-CSRF-Token"] = csrf; }
    fetch(form.dataset.path, {method: form.dataset.method, headers: headers, credentials: "same-origin", body: JSON.stringify(body(form))})
      .then(function (r) {
        if (r.ok) { form.dataset.done = String(Date.now()); return form.id === "scale-form" ? refresh() : location.reload(); }
        return r.json().catch(function () { return {error: r.status + " " + r.statusText}; }).then(function (e) {
          var where = form.querySelector('.err[data-field="' + (e.field || "") + '"]') || form.querySelector('.err[data-field=""]');
          text(where, (e.field && !form.querySelector('.err[data-field="' + e.field + '"]') ? e.field + ": " : "") + e.error);
        });
      })
      .catch(function (e) { text(form.querySelector('.err[data-field=""]'), e.message); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-path]").forEach(function (f) { f.addEventListener("submit", submit); });
    var file = document.getElementById("scenario-file");
    if (file) {
      file.addEventListener("change", function () {
        if (file.files.length) { file.files[0].text().then(function (t) { document.getElementById("scenario").value = t; }); }
      });
    }
    elapsed();
    setInterval(elapsed, 1000);
    setInterval(refresh, 2000);
  });
})();
