// Drag a session card to another cell of the organizer's grid to move it (htmx does the POST).
(function () {
  "use strict";
  var dragged = null;
  document.addEventListener("dragstart", function (e) {
    var card = e.target.closest && e.target.closest(".bk-card[data-session-id]");
    if (!card) return;
    dragged = card.getAttribute("data-session-id");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", dragged);
  });
  document.addEventListener("dragover", function (e) {
    var cell = e.target.closest && e.target.closest(".bk-cell");
    if (!cell || !dragged) return;
    e.preventDefault();
    cell.classList.add("bk-drop");
  });
  document.addEventListener("dragleave", function (e) {
    var cell = e.target.closest && e.target.closest(".bk-cell");
    if (cell) cell.classList.remove("bk-drop");
  });
  document.addEventListener("drop", function (e) {
    var cell = e.target.closest && e.target.closest(".bk-cell");
    if (!cell || !dragged || !window.htmx) return;
    e.preventDefault();
    cell.classList.remove("bk-drop");
    var url = cell.getAttribute("data-move-url").replace(/\/0\/move$/, "/" + dragged + "/move");
    window.htmx.ajax("POST", url, {
      target: "#breakout-board", swap: "outerHTML",
      values: { room_id: cell.getAttribute("data-room-id"), slot_id: cell.getAttribute("data-slot-id") }
    });
    dragged = null;
  });
})();
