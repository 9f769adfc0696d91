/* Seating board: move a person by drag and drop, or select then "Move here" (keyboard path).
   CSP-safe: no inline handlers, no eval. The move itself is an htmx form post whose response
   swaps both tables and the quality score out of band, and puts the answer in the toast (a
   live region fixed in the window) and next to the table. The moved person's chip is brought
   into view; a success toast goes away by itself, a refusal stays until dismissed. */
(function () {
  "use strict";
  var selected = null;

  function moveForm() { return document.getElementById("hr-move-form"); }

  function setPressed(id) {
    document.querySelectorAll(".hr-pick[aria-pressed=true]").forEach(function (b) {
      b.setAttribute("aria-pressed", "false");
    });
    if (id) {
      document.querySelectorAll('.hr-pick[data-attendee-id="' + id + '"]').forEach(function (b) {
        b.setAttribute("aria-pressed", "true");
      });
    }
  }

  function select(button) {
    selected = { id: button.dataset.attendeeId, name: button.dataset.name };
    setPressed(selected.id);
    document.body.classList.add("hr-selecting");
    var bar = document.getElementById("hr-selection");
    document.getElementById("hr-selection-text").textContent =
      "Moving " + selected.name + ": choose “Move here” on a table (Escape cancels).";
    bar.hidden = false;
  }

  function clear() {
    selected = null;
    setPressed(null);
    document.body.classList.remove("hr-selecting");
    var bar = document.getElementById("hr-selection");
    if (bar) bar.hidden = true;
  }

  var toastTimer = null;

  function clearNotes() {
    document.querySelectorAll(".hr-note").forEach(function (n) {
      n.textContent = "";
      n.classList.remove("is-error", "is-ok");
    });
  }

  function dismissToast() {
    var status = document.getElementById("hr-status");
    if (status) status.textContent = "";
  }

  // After htmx swapped a move's answer in: show the moved chip, time the toast out.
  document.addEventListener("htmx:afterSettle", function () {
    var moved = document.querySelector(".hr-chip.is-moved");
    if (moved) {
      var box = moved.getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) {
        moved.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }
    var toast = document.querySelector("#hr-status .hr-toast");
    clearTimeout(toastTimer);
    if (toast && !toast.classList.contains("is-error")) {
      toastTimer = setTimeout(function () {
        dismissToast();
        document.querySelectorAll(".hr-note.is-ok, .hr-note:not(.is-error)").forEach(function (n) {
          n.textContent = "";
        });
      }, 6000);
    }
  });

  function move(attendeeId, tableId) {
    var form = moveForm();
    if (!form || !attendeeId) return;
    clearNotes();
    form.elements.attendee_id.value = attendeeId;
    form.elements.table_id.value = tableId || "";
    clear();
    if (form.requestSubmit) form.requestSubmit(); else htmx.trigger(form, "submit");
  }

  document.addEventListener("click", function (e) {
    var pick = e.target.closest(".hr-pick");
    if (pick) {
      if (selected && selected.id === pick.dataset.attendeeId) clear(); else select(pick);
      return;
    }
    var here = e.target.closest(".hr-move-here");
    if (here && selected) {
      move(selected.id, here.dataset.tableId);
      return;
    }
    if (e.target.closest("#hr-cancel-selection")) clear();
    if (e.target.closest(".hr-toast-close")) { dismissToast(); clearNotes(); }
    if (e.target.closest(".hr-note")) clearNotes();
  });

  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && selected) clear();
  });

  document.addEventListener("dragstart", function (e) {
    var chip = e.target.closest && e.target.closest(".hr-chip[data-attendee-id]");
    if (!chip) return;
    e.dataTransfer.setData("text/plain", chip.dataset.attendeeId);
    e.dataTransfer.effectAllowed = "move";
    chip.classList.add("is-dragging");
  });

  document.addEventListener("dragend", function (e) {
    var chip = e.target.closest && e.target.closest(".hr-chip");
    if (chip) chip.classList.remove("is-dragging");
    document.querySelectorAll(".is-drop").forEach(function (z) { z.classList.remove("is-drop"); });
  });

  function zoneOf(e) { return e.target.closest && e.target.closest("[data-dropzone]"); }

  document.addEventListener("dragover", function (e) {
    var zone = zoneOf(e);
    if (!zone) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    zone.classList.add("is-drop");
  });

  document.addEventListener("dragleave", function (e) {
    var zone = zoneOf(e);
    if (zone && !zone.contains(e.relatedTarget)) zone.classList.remove("is-drop");
  });

  document.addEventListener("drop", function (e) {
    var zone = zoneOf(e);
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("is-drop");
    var id = e.dataTransfer.getData("text/plain");
    var chip = document.querySelector('.hr-chip[data-attendee-id="' + id + '"]');
    if (chip && chip.closest("[data-dropzone]") === zone) return;  // dropped where it was
    move(id, zone.dataset.tableId);
  });
})();
