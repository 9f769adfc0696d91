/* Summit check-in desk and kiosk: camera scanning, keyboard-wedge scanners, offline queue.
 *
 * The page root carries data-scanner, data-mode ("desk" or "kiosk"), data-scan-url, data-csrf
 * and data-vendor (where the BarcodeDetector polyfill and its zxing_reader.wasm are served).
 * Every scan is POSTed to data-scan-url and answered with the HTML of the result panel.
 * On the desk, a scan that cannot reach the server is queued (see offline-queue.js) with a
 * random nonce and uploaded when the connection returns; the nonce keeps it from counting twice.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-scanner]");
  if (!root) return;

  var mode = root.dataset.mode;
  var scanUrl = root.dataset.scanUrl;
  var csrf = root.dataset.csrf;
  var vendor = root.dataset.vendor;
  var panel = document.getElementById("result-panel");
  var form = document.getElementById("wedge-form");
  var wedge = document.getElementById("wedge");
  var countEl = document.getElementById("desk-count");
  var netState = document.getElementById("net-state");
  var queueState = document.getElementById("queue-state");
  var statusBox = document.getElementById("desk-status");
  var settledBox = document.getElementById("settled");
  var settledList = document.getElementById("settled-list");
  var queue = (mode === "desk" && window.SummitOfflineQueue)
    ? new window.SummitOfflineQueue("summit.checkin.queue." + root.dataset.slug) : null;
  var resetTimer = null;
  var busy = false;

  function focusWedge() {
    if (wedge) {
      wedge.value = "";
      wedge.focus();
    }
  }

  function nonce() {
    if (window.SummitOfflineQueue) return window.SummitOfflineQueue.randomNonce();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }

  function parse(html) {
    var box = document.createElement("div");
    box.innerHTML = html;
    return box.querySelector(".result");
  }

  function updateCount(node) {
    if (countEl && node && node.dataset.count !== undefined && node.dataset.count !== "") {
      countEl.textContent = node.dataset.count;
    }
  }

  function showHtml(html) {
    panel.innerHTML = html;
    if (window.htmx) window.htmx.process(panel);
    updateCount(panel.querySelector(".result"));
    afterResult();
  }

  // Words the page may translate: data-msg-* on the scanner root (the kiosk renders them in the
  // attendee's language); the English here is the fallback.
  function msg(key, fallback) {
    return root.dataset["msg" + key] || fallback;
  }

  function showMessage(cls, title, text) {
    var p = document.createElement("p");
    p.textContent = text;
    var box = showPlain(cls.replace("result-", ""), title);
    box.setAttribute("role", "status");
    box.appendChild(p);
    afterResult();
  }

  function afterResult() {
    focusWedge();
    if (mode === "kiosk") {
      clearTimeout(resetTimer);
      resetTimer = setTimeout(function () {
        showIdle();
      }, 8000);
    }
  }

  // A panel made here rather than by the server: its box (returned, for more lines) and title.
  function showPlain(outcome, title) {
    panel.innerHTML = "";
    var box = document.createElement("div");
    box.className = "result result-" + outcome;
    box.dataset.outcome = outcome;
    var t = document.createElement("p");
    t.className = "result-title";
    t.textContent = title;
    box.appendChild(t);
    panel.appendChild(box);
    return box;
  }

  // While a scan is on its way the panel says so: the previous person's result (and its Undo
  // button) must not stay on screen as if it answered this scan.
  function showPending() {
    clearTimeout(resetTimer);
    showPlain("pending", msg("Checking", "Checking…"));
  }

  function showIdle() {
    showPlain("idle", msg("Ready", "Ready to scan"));
  }

  function post(item) {
    var body = new URLSearchParams();
    body.set("code", item.code);
    body.set("source", item.source || "desk");
    if (item.nonce) body.set("nonce", item.nonce);
    if (item.scannedAt) body.set("scanned_at", String(item.scannedAt));
    return fetch(scanUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" }
    }).then(function (resp) {
      if (resp.status === 401 || resp.status === 403) {
        var auth = new Error("signed out");
        auth.auth = true;
        throw auth;
      }
      if (!resp.ok) {
        var err = new Error("HTTP " + resp.status);
        err.status = resp.status;
        throw err;
      }
      return resp.text();
    }, function () {
      var off = new Error("offline");
      off.offline = true;
      throw off;
    });
  }

  function queued(item) {
    queue.add(item);
    showMessage("result-queued", "Saved offline — not checked yet",
      "No connection: this code cannot be validated now. It is saved on this device and will " +
      "be checked as soon as the connection is back.");
    updateStatus();
  }

  function submit(code, source) {
    code = (code || "").trim();
    if (!code) return Promise.resolve();
    var item = { code: code, nonce: nonce(), source: source, scannedAt: Date.now() };
    if (queue && navigator.onLine === false) {
      queued(item);
      return Promise.resolve();
    }
    busy = true;
    showPending();
    return post(item).then(showHtml, function (err) {
      if (err.offline && queue) {
        queued(item);
      } else if (err.auth) {
        showMessage("result-red", mode === "kiosk" ? msg("KioskEnded", "Kiosk mode has ended") : "Please sign in again",
          mode === "kiosk" ? msg("KioskEndedText", "Ask a staff member to restart the kiosk.")
            : "Your session has ended. Reload the page and sign in; nothing was recorded.");
      } else if (err.offline) {
        showMessage("result-red", msg("OfflineTitle", "No connection"),
          msg("OfflineText", "Please try again in a moment or see the desk."));
      } else {
        showMessage("result-red", msg("ErrorTitle", "Something went wrong"),
          msg("ErrorText", "The scan was not recorded. Try again."));
      }
    }).then(function () { busy = false; });
  }

  /* --- online / offline status and the upload of queued scans ------------------------------ */

  function updateStatus() {
    if (!statusBox) return;
    var online = navigator.onLine !== false;
    statusBox.classList.toggle("offline", !online);
    statusBox.classList.toggle("online", online);
    netState.textContent = online ? "Online" :
      "Offline — scanning continues; codes are checked when the connection is back";
    var n = queue ? queue.size() : 0;
    queueState.hidden = n === 0;
    queueState.textContent = n === 1 ? "1 scan waiting to upload" : n + " scans waiting to upload";
    root.dataset.queued = String(n);
  }

  var flushing = false;
  function flush() {
    if (!queue || flushing || queue.size() === 0 || navigator.onLine === false) return Promise.resolve();
    flushing = true;
    var items = queue.items();
    var i = 0;
    function next() {
      if (i >= items.length) return Promise.resolve();
      var item = items[i++];
      return post(item).then(function (html) {
        queue.remove(item.nonce);
        settle(item, html);
        return next();
      }, function (err) {
        if (err.offline || err.auth || (err.status && err.status >= 500)) {
          if (err.auth) netState.textContent = "Sign in again to upload the waiting scans";
          return null;  // keep it and the rest for the next attempt
        }
        queue.remove(item.nonce);  // the server refused it for good (e.g. 400): report it
        settleText(item, "red", "Could not upload: " + item.code);
        return next();
      });
    }
    return next().then(function () {
      flushing = false;
      updateStatus();
    });
  }

  function settle(item, html) {
    var node = parse(html);
    updateCount(node);
    var colour = node ? node.dataset.colour : "red";
    var summary = node ? node.dataset.summary : "Uploaded";
    settleText(item, colour, summary);
    var current = panel.querySelector(".result-queued");
    if (current && queue.size() === 0) showHtml(html);
  }

  function settleText(item, colour, text) {
    if (!settledList) return;
    var li = document.createElement("li");
    li.className = colour;
    var when = new Date(item.scannedAt);
    li.textContent = when.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) + " · " + text;
    settledList.insertBefore(li, settledList.firstChild);
    settledBox.hidden = false;
  }

  if (queue) {
    queue.onChange(updateStatus);
    window.addEventListener("online", function () { updateStatus(); flush(); });
    window.addEventListener("offline", updateStatus);
    window.addEventListener("storage", updateStatus);
    setInterval(flush, 5000);
    updateStatus();
    flush();
  }

  /* --- keyboard-wedge scanners and typed codes ----------------------------------------------- */

  if (form && wedge) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var value = wedge.value;
      wedge.value = "";
      submit(value, mode === "kiosk" ? "kiosk" : "wedge");
    });
    document.addEventListener("keydown", function (ev) {
      var active = document.activeElement;
      if ((!active || active === document.body) && ev.key && ev.key.length === 1 &&
          !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        wedge.focus();  // a scanner typing while nothing has focus still lands in the field
      }
    });
  }

  document.body.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail && ev.detail.target === panel) {
      updateCount(panel.querySelector(".result"));
      var search = document.getElementById("name-search");
      var results = document.getElementById("search-results");
      if (search) search.value = "";
      if (results) results.innerHTML = "";
      focusWedge();
    }
  });

  /* --- camera ---------------------------------------------------------------------------------- */

  var video = document.getElementById("camera-video");
  var toggle = document.getElementById("camera-toggle");
  var camStatus = document.getElementById("camera-status");
  var stream = null;
  var detector = null;
  var scanning = false;
  var last = { value: null, at: 0 };

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(s);
    });
  }

  function makeDetector() {
    if (detector) return Promise.resolve(detector);
    var native = window.BarcodeDetector && window.BarcodeDetector.getSupportedFormats
      ? window.BarcodeDetector.getSupportedFormats().catch(function () { return []; })
      : Promise.resolve([]);
    return native.then(function (formats) {
      if (formats.indexOf("qr_code") >= 0) {
        root.dataset.detector = "native";
        return new window.BarcodeDetector({ formats: ["qr_code"] });
      }
      return loadScript(vendor + "barcode-detector.iife.js").then(function () {
        var api = window.BarcodeDetectionAPI;
        api.prepareZXingModule({
          overrides: {
            locateFile: function (path, prefix) {
              return path.endsWith(".wasm") ? vendor + path : prefix + path;
            }
          },
          fireImmediately: true
        });
        root.dataset.detector = "polyfill";
        return new api.BarcodeDetector({ formats: ["qr_code"] });
      });
    }).then(function (d) {
      detector = d;
      return d;
    });
  }

  function tick() {
    if (!scanning) return;
    var ready = video.readyState >= 2 && !busy;
    var work = ready ? detector.detect(video).then(function (codes) {
      if (!codes || !codes.length) return;
      var value = codes[0].rawValue;
      var now = Date.now();
      if (value === last.value && now - last.at < 5000) return;  // same badge still in view
      last = { value: value, at: now };
      return submit(value, mode === "kiosk" ? "kiosk" : "camera");
    }).catch(function () { /* a frame that cannot be read */ }) : Promise.resolve();
    work.then(function () { setTimeout(tick, 150); });
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      camStatus.textContent = msg("CamHttps", "This browser cannot use the camera here (it needs HTTPS).");
      return Promise.resolve();
    }
    camStatus.textContent = msg("CamStarting", "Starting the camera…");
    return navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" } }, audio: false
    }).then(function (s) {
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      return video.play();
    }).then(makeDetector).then(function () {
      scanning = true;
      toggle.textContent = msg("CamStop", "Stop camera");
      camStatus.textContent = msg("CamOn", "Camera on — hold a QR code up to it");
      root.dataset.camera = "on";
      tick();
    }).catch(function (err) {
      camStatus.textContent = msg("CamUnavailable", "Camera unavailable:") + " " + (err && err.message ? err.message : err);
      stopCamera();
    });
  }

  function stopCamera() {
    scanning = false;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    if (video) { video.srcObject = null; video.hidden = true; }
    if (toggle) toggle.textContent = msg("CamStart", "Start camera");
    root.dataset.camera = "off";
  }

  if (toggle && video) {
    toggle.addEventListener("click", function () {
      if (scanning || stream) {
        stopCamera();
        camStatus.textContent = msg("CamOff", "Camera off");
        try { localStorage.setItem("summit.checkin.camera", "off"); } catch (e) { /* private mode */ }
      } else {
        try { localStorage.setItem("summit.checkin.camera", "on"); } catch (e) { /* private mode */ }
        startCamera();
      }
      focusWedge();
    });
    var wanted = null;
    try { wanted = localStorage.getItem("summit.checkin.camera"); } catch (e) { /* private mode */ }
    if (wanted === "on" || (root.hasAttribute("data-autostart-camera") && wanted !== "off")) {
      startCamera();
    }
  }
})();
