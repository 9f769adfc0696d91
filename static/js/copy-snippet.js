/* "Copy" buttons: <button data-copy="id-of-a-textarea" hidden>. Shown only where the browser can
   copy (a secure page); the text stays selectable by hand everywhere. */
(function () {
  function ready() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        navigator.clipboard.writeText(source.value).then(function () {
          button.textContent = button.getAttribute("data-copied") || "Copied";
          setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
