/* The entrance screen's "Full screen" button (no inline handlers: the CSP forbids them).
 * Its polled QR code and counter use etag-poll.js. */
(function () {
  "use strict";
  function setupFullscreen() {
    var button = document.getElementById("go-fullscreen");
    if (!button) return;
    if (!document.fullscreenEnabled) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else { document.documentElement.requestFullscreen().catch(function () {}); }
    });
    document.addEventListener("fullscreenchange", function () {
      button.textContent = document.fullscreenElement ? "Exit full screen" : "Full screen";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupFullscreen);
  else setupFullscreen();
})();
