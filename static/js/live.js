/* Live Q&A on a phone: questions, upvotes and poll answers go through a queue kept in
 * localStorage (offline-queue.js), so one sent while the network is down is sent when it comes
 * back, and after a reload.
 *
 * Sent once, never twice: every item carries a random client key. The server saves a question
 * once per key (a unique constraint), and one upvote per person and question and one answer per
 * person and poll (unique constraints), so a retry after a lost answer, or two tabs sending the
 * same queue, count once. An item leaves the queue when the server answered it (yes or no);
 * it stays when the network failed, or on 429 and 5xx, and is tried again.
 */
(function () {
  "use strict";
  var Queue = window.SummitOfflineQueue;
  if (!Queue) return;
  var queue = new Queue("summit-live-queue");
  var sending = false;

  function status(text, isError) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.textContent = text || "";
    el.classList.toggle("error", !!isError);
  }

  function waiting() {
    var n = queue.size();
    var el = document.getElementById("live-status");
    if (n && el) {
      status((el.getAttribute("data-offline") || "Offline: %n waiting, sent when the network is back.").replace("%n", n), false);
    }
  }

  // After the phone's own question, upvote or answer: fetch the room at once, without its
  // ETag (which may stay valid for the counts' window), so the person sees what they did.
  function refresh() {
    var room = document.getElementById("live-room");
    if (room) room.setAttribute("data-etag", "");
    if (window.htmx) window.htmx.trigger(document.body, "live-refresh");
  }

  // A vote's answer: the poll section swapped in and the room's new ETag kept, when the page
  // still shows that poll; false otherwise (the room is fetched again).
  function showPoll(answer) {
    var room = document.getElementById("live-room");
    var section = document.getElementById("live-poll");
    if (!room || !section || !answer.poll || !answer.etag) return false;
    var fresh = document.createElement("div");
    fresh.innerHTML = answer.poll;
    var replacement = fresh.querySelector("#live-poll");
    if (!replacement || replacement.getAttribute("data-poll") !== section.getAttribute("data-poll")) {
      return false;
    }
    section.replaceWith(replacement);
    if (window.htmx) window.htmx.process(replacement);
    room.setAttribute("data-etag", answer.etag);
    return true;
  }

  function csrf() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) { return ""; }
  }

  function sendNext() {
    var items = queue.items();
    if (!items.length) { sending = false; return; }
    var item = items[0];
    var body = new URLSearchParams();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    var headers = { "X-Live-Queue": "1", "X-CSRFToken": csrf() };
    var room = document.getElementById("live-room");
    if (item.kind === "vote" && room) {
      // The server answers a vote with this phone's poll as it now is, and a new ETag for the
      // room (live.views.vote), so the whole room need not be fetched again.
      headers["X-Live-Poll"] = "1";
      headers["X-Live-ETag"] = room.getAttribute("data-etag") || "";
    }
    fetch(item.url, {
      method: "POST", body: body, credentials: "same-origin", headers: headers
    }).then(function (response) {
      return response.text().then(function (text) {
        if (response.status === 429 || response.status >= 500) {
          sending = false;
          status(text && text.length < 200 ? text : "", true);
          setTimeout(flush, 5000);
          return;
        }
        queue.remove(item.nonce);
        var answer = null;
        if ((response.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
          try { answer = JSON.parse(text); } catch (e) { answer = null; }
        }
        if (answer) {
          status(answer.message || "", !response.ok);
          if (!showPoll(answer)) refresh();
        } else {
          status(text && text.length < 300 ? text : "", !response.ok);
          refresh();
        }
        sendNext();
      });
    }).catch(function () {
      sending = false;
      waiting();
    });
  }

  function flush() {
    if (sending || !queue.size()) return;
    sending = true;
    sendNext();
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.hasAttribute || !form.hasAttribute("data-live-queue")) return;
    e.preventDefault();
    var nonce = Queue.randomNonce();
    var fields = [];
    new FormData(form).forEach(function (value, key) { fields.push([key, String(value)]); });
    fields.push(["client_key", nonce]);
    queue.add({ nonce: nonce, url: form.action, kind: form.getAttribute("data-live-queue"),
                fields: fields, at: Date.now() });
    if (form.getAttribute("data-live-queue") === "question") {
      var text = form.querySelector("textarea[name=text]");
      if (text) text.value = "";
    } else {
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
    }
    if (!navigator.onLine) waiting();
    flush();
  });

  // The room's list and results between renders (polling.LiveRoomFastPath answers a poll
  // with JSON and X-Live-Counts): the same for every phone, made this viewer's here as the
  // server does on a render (live.views._personal_questions): their token, the questions they
  // upvoted pressed, their own questions marked.
  function personalList(html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    var token = csrf();
    fresh.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
      input.value = token;
    });
    document.querySelectorAll("#live-questions button.vote[aria-pressed=true]").forEach(function (old) {
      var button = fresh.querySelector('button.vote[data-q="' + old.getAttribute("data-q") + '"]');
      if (button) {
        button.classList.add("voted");
        button.setAttribute("aria-pressed", "true");
        button.disabled = true;
      }
    });
    var mine = [];
    document.querySelectorAll("#live-questions [data-mine]:not([hidden])").forEach(function (el) {
      mine.push(el.getAttribute("data-mine"));
    });
    document.querySelectorAll("[data-pending]").forEach(function (el) {
      var id = el.getAttribute("data-pending");
      mine.push(id);
      if (fresh.querySelector('[data-mine="' + id + '"]')) el.remove();  // approved since
    });
    mine.forEach(function (id) {
      var mark = fresh.querySelector('[data-mine="' + id + '"]');
      if (mark) mark.hidden = false;
    });
    var pending = document.querySelector(".live-mine");
    if (pending && !pending.querySelector("[data-pending]")) pending.remove();
    return fresh;
  }

  document.addEventListener("htmx:beforeSwap", function (e) {
    var xhr = e.detail.xhr;
    if (!xhr || xhr.status !== 200 || xhr.getResponseHeader("X-Live-Counts") !== "1") return;
    e.detail.shouldSwap = false;
    var data;
    try { data = JSON.parse(xhr.responseText); } catch (err) { return; }
    var list = document.getElementById("live-questions");
    if (list && typeof data.list === "string") {
      var fresh = personalList(data.list);
      list.replaceChildren.apply(list, Array.prototype.slice.call(fresh.childNodes));
      if (window.htmx) window.htmx.process(list);
    }
    var results = document.getElementById("live-results");
    if (results && typeof data.results === "string") results.innerHTML = data.results;
  });

  window.addEventListener("online", flush);
  setInterval(function () { if (queue.size()) flush(); }, 5000);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", flush);
  else flush();
  window.SummitLive = { queue: queue, flush: flush };
})();
