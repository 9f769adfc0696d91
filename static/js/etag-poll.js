// The one script for polled fragments that carry an ETag (data-etag): the breakout lists and
// agenda, the entrance screen, a facilitator's table and the announcement banner.
// - The poll sends the fragment's ETag as If-None-Match; a 304 leaves the fragment as it is.
//   (The browser cache cannot do this itself: the session cookie, which responses vary on, is
//   refreshed on every response.)
// - A fragment swapped by innerHTML keeps its element, so it takes the answer's ETag header.
// - A failed poll (no network, 429, 5xx) leaves the fragment as it was, without an error.
// Safe to include twice.
(function () {
  "use strict";
  function polled(elt) { return elt && elt.hasAttribute && elt.hasAttribute("data-etag"); }
  function setup() {
    var htmx = window.htmx;
    if (!htmx || htmx.__summitEtag) return;
    htmx.__summitEtag = true;
    htmx.config.responseHandling.unshift({ code: "304", swap: false });
    document.body.addEventListener("htmx:configRequest", function (e) {
      var el = e.detail.elt;
      if (e.detail.verb === "get" && polled(el)) {
        e.detail.headers["If-None-Match"] = el.getAttribute("data-etag");
      }
    });
    document.body.addEventListener("htmx:beforeSwap", function (e) {
      var el = e.detail.requestConfig && e.detail.requestConfig.elt;
      if (!polled(el) || e.detail.requestConfig.verb !== "get") return;
      var xhr = e.detail.xhr;
      if (xhr.status === 304) { e.detail.shouldSwap = false; return; }
      if (xhr.status !== 200) { e.detail.shouldSwap = false; e.detail.isError = false; return; }
      var tag = xhr.getResponseHeader("ETag");
      if (tag) el.setAttribute("data-etag", tag);
    });
  }
  // htmx may arrive after this script (base.html loads it without holding the page): set up
  // when it has processed the page, too.
  document.addEventListener("htmx:load", setup);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
