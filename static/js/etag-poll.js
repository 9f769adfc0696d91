// Polled fragments that did not change are not sent again: each one carries the ETag it was
// rendered from (data-etag); the htmx poll sends it as If-None-Match and a 304 leaves the
// fragment as it is. (The browser cache cannot do this itself: the session cookie, which
// responses vary on, is refreshed on every response.) Used by the breakout lists and agenda,
// the entrance screen and a facilitator's table. Safe to include twice.
(function () {
  "use strict";
  function setup() {
    var htmx = window.htmx;
    if (!htmx || htmx.__summitEtag) return;
    htmx.__summitEtag = true;
    htmx.config.responseHandling.unshift({ code: "304", swap: false });
    document.body.addEventListener("htmx:configRequest", function (e) {
      var el = e.detail.elt;
      if (e.detail.verb === "get" && el && el.hasAttribute && el.hasAttribute("data-etag")) {
        e.detail.headers["If-None-Match"] = el.getAttribute("data-etag");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
