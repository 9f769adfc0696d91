/* The program in a frame on the organizer's website: tell the page that shows it how tall the
   program is, so the snippet's few lines of script can size the frame (no inner scroll bar).
   Only a height is sent; the page checks that the message comes from this site. */
(function () {
  if (window.parent === window) return;
  var last = 0;
  function report() {
    var height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ summitProgramHeight: height }, "*");
    }
  }
  window.addEventListener("load", report);
  document.addEventListener("htmx:afterSettle", report);
  if (window.ResizeObserver) new ResizeObserver(report).observe(document.body);
})();
