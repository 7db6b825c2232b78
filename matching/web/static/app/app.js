// Live progress of a batch: polls GET /api/batches/{id} (same origin, the cookie carries the
// token) and reloads the page when the batch is done. No other script on these pages.
(function () {
  var box = document.getElementById("suivi");
  if (!box) return;
  var labels = {done: "terminé", running: "en cours", queued: "en attente", failed: "échec"};
  function poll() {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      document.getElementById("etat").textContent = labels[s.status] || s.status;
      document.getElementById("avancement").value = s.progress;
      document.getElementById("message").textContent = s.message;
      box.dataset.status = s.status;
      if (s.status === "done") { window.location.reload(); return; }
      if (s.status !== "failed") { window.setTimeout(poll, 500); }
    }).catch(function () { window.setTimeout(poll, 2000); });
  }
  if (box.dataset.status !== "done" && box.dataset.status !== "failed") poll();
})();
