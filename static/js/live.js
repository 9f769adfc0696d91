// Live announcements: the banner polls with If-None-Match; a 304 leaves the page alone.
(function () {
  function isBanner(elt) { return elt && elt.id === "live-banner"; }
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (isBanner(elt) && elt.dataset.etag) {
      evt.detail.headers["If-None-Match"] = elt.dataset.etag;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
    if (!isBanner(elt)) { return; }
    var xhr = evt.detail.xhr;
    if (xhr.status === 304) { evt.detail.shouldSwap = false; return; }
    if (xhr.status !== 200) { evt.detail.shouldSwap = false; evt.detail.isError = false; return; }
    var tag = xhr.getResponseHeader("ETag");
    if (tag) { elt.dataset.etag = tag; }
  });
})();
