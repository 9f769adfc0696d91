/* Autosave for action plans: never lose a word.
 *
 * Every field marked data-autosave is saved a moment after typing pauses and when it loses
 * focus. Until the server confirms, the text is kept in localStorage; failed saves are retried
 * (with back-off, and at once when the browser comes back online). After a reload, text that
 * never reached the server is offered back. Each save carries the version it was based on; the
 * server answers 409 with both texts when another device saved in between, and the person
 * chooses or combines them. No inline handlers, no eval: this file is the only script.
 * The words shown come from data-msg-* attributes that the page renders in its language, so
 * this file holds no translations (English is only the fallback).
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-autosave-root]");
  if (!root) { return; }
  var url = root.getAttribute("data-save-url");
  var planId = root.getAttribute("data-plan");
  function msg(name, fallback) { return root.getAttribute("data-msg-" + name) || fallback; }
  var DELAY = 800;
  var MAX_RETRY = 10000;
  var csrf = "";
  try { csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
  catch (e) { csrf = ""; }
  var globalStatus = document.getElementById("save-status");
  var states = new Map();
  var offered = 0;  // unsaved texts from before a reload, waiting for "Restore" or "Discard"

  function storeKey(el) {
    return "summit-plan:" + planId + ":" + el.getAttribute("data-question") + ":" +
      el.getAttribute("data-field");
  }
  function readStore(el) {
    try { return JSON.parse(localStorage.getItem(storeKey(el)) || "null"); }
    catch (e) { return null; }
  }
  function stash(el) {
    try {
      localStorage.setItem(storeKey(el), JSON.stringify({
        value: el.value, base: Number(el.getAttribute("data-version") || 0), at: Date.now()
      }));
    } catch (e) { /* storage full or disabled: the retry still holds the text in memory */ }
  }
  function unstash(el) {
    try { localStorage.removeItem(storeKey(el)); } catch (e) { /* ignore */ }
  }
  function state(el) {
    var s = states.get(el);
    if (!s) { s = { timer: null, retry: null, attempt: 0, inflight: false, again: false,
                    pending: false, conflict: false }; states.set(el, s); }
    return s;
  }
  function block(el) { return el.closest("[data-answer]"); }
  function setStatus(el, text, kind) {
    var span = block(el) && block(el).querySelector("[data-save-state]");
    if (span) { span.textContent = text; span.setAttribute("data-state", kind); }
    refreshGlobal();
  }
  function refreshGlobal() {
    if (!globalStatus) { return; }
    var pending = offered, conflicts = 0;
    states.forEach(function (s) { if (s.pending) { pending++; } if (s.conflict) { conflicts++; } });
    if (conflicts) {
      globalStatus.textContent = msg("conflicts", "Not saved yet: choose a version below");
      globalStatus.setAttribute("data-state", "conflict");
    } else if (pending) {
      globalStatus.textContent = msg("pending", "Not saved yet");
      globalStatus.setAttribute("data-state", "pending");
    } else {
      globalStatus.textContent = msg("all-saved", "All changes saved");
      globalStatus.setAttribute("data-state", "saved");
    }
  }

  function schedule(el, delay) {
    var s = state(el);
    clearTimeout(s.timer);
    s.timer = setTimeout(function () { save(el); }, delay);
  }
  function edited(el) {
    var s = state(el);
    s.pending = true;
    stash(el);
    setStatus(el, msg("pending", "Not saved yet"), "pending");
  }
  function retryLater(el) {
    var s = state(el);
    s.attempt += 1;
    var wait = Math.min(MAX_RETRY, 1000 * Math.pow(2, s.attempt - 1));
    clearTimeout(s.retry);
    s.retry = setTimeout(function () { save(el); }, wait);
    setStatus(el, msg("pending", "Not saved yet"), "pending");
  }

  function save(el) {
    var s = state(el);
    clearTimeout(s.timer);
    clearTimeout(s.retry);
    if (s.conflict) { return; }
    if (s.inflight) { s.again = true; return; }
    var value = el.value;
    var body = new URLSearchParams();
    body.set("question", el.getAttribute("data-question"));
    body.set("field", el.getAttribute("data-field"));
    body.set("value", value);
    body.set("base", el.getAttribute("data-version") || "0");
    s.inflight = true;
    setStatus(el, msg("saving", "Saving…"), "saving");
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch" }
    }).then(function (response) {
      var version = response.headers.get("X-Answer-Version");
      if (response.ok) {
        el.setAttribute("data-version", version || "0");
        s.attempt = 0;
        if (el.value === value) {
          s.pending = false;
          unstash(el);
          setStatus(el, msg("saved", "Saved"), "saved");
        } else {
          stash(el);
          schedule(el, DELAY);
        }
        return null;
      }
      if (response.status === 409) {
        return response.text().then(function (html) { showConflict(el, html); });
      }
      if (response.status === 401) {
        setStatus(el, msg("signed-out", "Not saved yet: please open your personal link again"),
                  "error");
        return null;
      }
      if (response.status === 400 || response.status === 403 || response.status === 404) {
        return response.text().then(function () {
          setStatus(el, msg("refused", "Not saved: this answer cannot be saved here"), "error");
        });
      }
      retryLater(el);
      return null;
    }).catch(function () {
      retryLater(el);
    }).then(function () {
      s.inflight = false;
      if (s.again) { s.again = false; if (s.pending && !s.conflict) { save(el); } }
    });
  }

  function showConflict(el, html) {
    var s = state(el);
    var box = block(el).querySelector("[data-conflict]");
    s.conflict = true;
    s.pending = true;
    box.innerHTML = html;
    box.hidden = false;
    setStatus(el, msg("conflict", "Not saved yet: choose a version"), "conflict");
  }

  function resolve(el, choice) {
    var s = state(el);
    var box = block(el).querySelector("[data-conflict]");
    var panel = box.querySelector("[data-server-version]");
    var text;
    if (choice === "theirs") { text = panel.querySelector("[data-theirs]").textContent; }
    else if (choice === "merged") { text = panel.querySelector("[data-merged]").value; }
    else { text = panel.querySelector("[data-mine]").textContent; }
    el.value = text;
    el.setAttribute("data-version", panel.getAttribute("data-server-version"));
    box.innerHTML = "";
    box.hidden = true;
    s.conflict = false;
    edited(el);
    save(el);
  }

  function fieldFor(node) {
    var answer = node.closest("[data-answer]");
    return answer && answer.querySelector("[data-autosave]");
  }

  root.addEventListener("submit", function (event) { event.preventDefault(); });
  root.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosave")) { return; }
    edited(el);
    schedule(el, el.tagName === "SELECT" ? 0 : DELAY);
  });
  root.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosave")) { return; }
    if (state(el).pending) { save(el); }
  });
  root.addEventListener("focusout", function (event) {
    var el = event.target;
    if (!el.hasAttribute || !el.hasAttribute("data-autosave")) { return; }
    if (state(el).pending) { save(el); }
  });
  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-conflict-choice]");
    if (!button) { return; }
    event.preventDefault();
    var el = fieldFor(button);
    if (el) { resolve(el, button.getAttribute("data-conflict-choice")); }
  });
  window.addEventListener("online", function () {
    states.forEach(function (s, el) { if (s.pending && !s.conflict && !s.inflight) { save(el); } });
  });
  window.addEventListener("beforeunload", function () {
    states.forEach(function (s, el) { if (s.pending) { stash(el); } });
  });

  // Typed before this script arrived: it is deferred, and on slow Wi-Fi the page can be typed
  // into first. A field that no longer holds what the server rendered is saved now. (The fields
  // are autocomplete="off", so the browser does not refill them on its own after a reload; the
  // banner below is the one way back to older text.)
  function rendered(el) {
    if (el.tagName !== "SELECT") { return el.defaultValue; }
    for (var i = 0; i < el.options.length; i++) {
      if (el.options[i].defaultSelected) { return el.options[i].value; }
    }
    return el.options.length ? el.options[0].value : "";
  }
  var typedEarly = [];
  root.querySelectorAll("[data-autosave]").forEach(function (el) {
    if (el.value !== rendered(el)) { typedEarly.push(el); }
  });

  // After a reload: offer what never reached the server.
  var banner = document.getElementById("unsaved-banner");
  var unsaved = [];
  root.querySelectorAll("[data-autosave]").forEach(function (el) {
    var stored = readStore(el);
    if (!stored) { return; }
    if (stored.value === el.value) { unstash(el); return; }
    unsaved.push({ el: el, stored: stored });
  });
  if (banner && unsaved.length) {
    var list = banner.querySelector("[data-unsaved-list]");
    unsaved.forEach(function (item) {
      var li = document.createElement("li");
      var label = block(item.el).querySelector("label");
      var strong = document.createElement("strong");
      strong.textContent = (label ? label.textContent : msg("answer", "Answer")) + ": ";
      li.appendChild(strong);
      li.appendChild(document.createTextNode(item.stored.value.slice(0, 160)));
      list.appendChild(li);
      setStatus(item.el, msg("pending", "Not saved yet"), "pending");
    });
    banner.hidden = false;
    offered = unsaved.length;
    banner.querySelector("[data-restore]").addEventListener("click", function () {
      unsaved.forEach(function (item) {
        item.el.value = item.stored.value;
        item.el.setAttribute("data-version", String(item.stored.base || 0));
        var details = item.el.closest("details");
        if (details) { details.open = true; }
        edited(item.el);
        save(item.el);
      });
      banner.hidden = true;
      offered = 0;
      refreshGlobal();
    });
    banner.querySelector("[data-discard]").addEventListener("click", function () {
      offered = 0;
      unsaved.forEach(function (item) { unstash(item.el); setStatus(item.el, "", "saved"); });
      banner.hidden = true;
    });
  }
  typedEarly.forEach(function (el) { edited(el); save(el); });
  refreshGlobal();
}());
