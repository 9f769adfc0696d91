/* Summit check-in desk: registers the desk's service worker (served by the desk, see
 * templates/checkin/desk-sw.js), which keeps the desk's shell so that a reload with no network
 * still opens the desk, and scans queue as usual. When the worker controls the page, the desk
 * root gets data-offline-ready="yes". Without service workers (old browsers, plain http on a
 * non-local address) the desk works as before, online. */
(function () {
  "use strict";
  var root = document.getElementById("desk");
  if (!root || !root.dataset.worker || !("serviceWorker" in navigator)) return;
  var workers = navigator.serviceWorker;

  function ready() {
    if (workers.controller) root.dataset.offlineReady = "yes";
  }

  workers.addEventListener("controllerchange", ready);
  workers.register(root.dataset.worker, { scope: root.dataset.workerScope })
    .then(function () { return workers.ready; })
    .then(ready)
    .catch(function () { root.dataset.offlineReady = "no"; });
  ready();
})();
