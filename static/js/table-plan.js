/* "Add tables": say how many seats the numbers typed give, against everyone registered. */
(function () {
  "use strict";
  var form = document.querySelector("form.table-plan");
  if (!form) return;
  var out = document.getElementById("table-plan-sum");
  var registered = parseInt(form.dataset.registered, 10) || 0;
  var existing = parseInt(form.dataset.seats, 10) || 0;

  function update() {
    var count = parseInt(form.elements.count.value, 10);
    var seats = parseInt(form.elements.seats.value, 10);
    if (!(count > 0) || !(seats > 0)) { out.textContent = ""; return; }
    var adding = count * seats, total = existing + adding;
    out.textContent = "Adds " + adding + " seats: " + total + " in all for " + registered +
      " registered" + (total >= registered ? ", a seat for everyone." :
      ", " + (registered - total) + " short.");
    out.classList.toggle("is-short", total < registered);
  }

  form.addEventListener("input", update);
})();
