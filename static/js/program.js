/* The public program: keep the chosen day and topic in view in their rows of chips (on a phone
   the rows scroll sideways), on load and after htmx swaps in another filter. */
(function () {
  if (window.summitProgram) return;  // included again with each filtered program
  window.summitProgram = true;
  function reveal() {
    document.querySelectorAll(".pg-filter").forEach(function (row) {
      var chosen = row.querySelector("[aria-current=page]");
      if (!chosen || row.scrollWidth <= row.clientWidth) return;
      var left = chosen.offsetLeft - row.offsetLeft;
      if (left < row.scrollLeft || left + chosen.offsetWidth > row.scrollLeft + row.clientWidth) {
        row.scrollLeft = Math.max(0, left - 16);
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  else reveal();
  document.addEventListener("htmx:afterSettle", reveal);
})();
