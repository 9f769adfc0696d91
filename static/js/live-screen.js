/* The projector's "Full screen" button (delegated: the button is inside the polled fragment,
 * which etag-poll.js replaces when something changes). */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest("#go-fullscreen");
    if (!button) return;
    if (document.fullscreenElement) { document.exitFullscreen(); }
    else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  });
})();
