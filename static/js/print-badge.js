// Opens the browser's print dialog for a badge PDF swapped in by htmx (templates/badges/
// _print_result.html): a tiny same-origin frame loads the PDF, then its window prints.
// Loaded by several partials: runs once per page.
(function () {
  if (window.summitPrintBadge) { window.summitPrintBadge.arm(document); return; }

  function printFrame(frame) {
    try {
      frame.contentWindow.focus();
      frame.contentWindow.print();
    } catch (err) {
      // Some browsers refuse to print a PDF frame: fall back to a tab with the PDF.
      window.open(frame.dataset.src, "_blank", "noopener");
    }
  }

  function arm(root) {
    if (!root || !root.querySelectorAll) { return; }
    var frames = root.matches && root.matches("iframe[data-autoprint]") ? [root] : [];
    frames = frames.concat(Array.prototype.slice.call(root.querySelectorAll("iframe[data-autoprint]")));
    frames.forEach(function (frame) {
      if (frame.dataset.armed) { return; }
      frame.dataset.armed = "1";
      frame.addEventListener("load", function () {
        // The PDF viewer needs a moment after load before it can print.
        window.setTimeout(function () { printFrame(frame); }, 300);
      });
      frame.src = frame.dataset.src;  // set after the listener: no race with a fast load
    });
  }

  window.summitPrintBadge = { arm: arm };
  document.addEventListener("htmx:load", function (event) { arm(event.detail.elt); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { arm(document); });
  } else {
    arm(document);
  }
})();
