/* The attendee list's checkboxes: "pick everyone on this page", and how many are ticked on
   the button that prints their badges. The results are swapped by htmx on every search, so
   everything is read from the page when it changes. */
(function () {
  "use strict";
  function boxes() {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[name="attendee_id"][form="badge-pick"]'));
  }
  function update() {
    var ticked = boxes().filter(function (b) { return b.checked; }).length;
    var count = document.getElementById("pick-count");
    var button = document.getElementById("pick-print");
    if (count) {
      count.textContent = ticked ? ticked + (ticked === 1 ? " person" : " people") + " ticked."
                                 : "Tick people to print their badges.";
    }
    if (button) {
      button.textContent = ticked ? "Print " + ticked + (ticked === 1 ? " badge" : " badges")
                                  : "Print badges for the people ticked";
    }
    var all = document.getElementById("pick-all");
    if (all) {
      var list = boxes();
      all.checked = list.length > 0 && ticked === list.length;
      all.indeterminate = ticked > 0 && ticked < list.length;
    }
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches && e.target.matches("[data-pick-all]")) {
      boxes().forEach(function (b) { b.checked = e.target.checked; });
    }
    if (e.target.getAttribute && e.target.getAttribute("form") === "badge-pick") update();
  });
  document.addEventListener("htmx:afterSettle", update);
  document.addEventListener("DOMContentLoaded", update);
})();
