/* Summit check-in: scans waiting to be uploaded, kept in localStorage so they survive a reload.
 *
 * Each item is {code, nonce, source, scannedAt}. The nonce is random and sent with the upload;
 * the server stores it with the check-in, so an upload that is retried is counted only once.
 */
(function () {
  "use strict";

  function randomNonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function OfflineQueue(key) {
    this.key = key;
    this.listeners = [];
  }

  OfflineQueue.prototype.items = function () {
    try {
      var data = JSON.parse(window.localStorage.getItem(this.key) || "[]");
      return Array.isArray(data) ? data : [];
    } catch (e) {
      return [];
    }
  };

  OfflineQueue.prototype._save = function (items) {
    window.localStorage.setItem(this.key, JSON.stringify(items));
    var size = items.length;
    this.listeners.forEach(function (fn) { fn(size); });
  };

  OfflineQueue.prototype.add = function (item) {
    var items = this.items();
    if (!items.some(function (x) { return x.nonce === item.nonce; })) {
      items.push(item);
    }
    this._save(items);
  };

  OfflineQueue.prototype.remove = function (nonce) {
    this._save(this.items().filter(function (x) { return x.nonce !== nonce; }));
  };

  OfflineQueue.prototype.size = function () {
    return this.items().length;
  };

  OfflineQueue.prototype.onChange = function (fn) {
    this.listeners.push(fn);
  };

  window.SummitOfflineQueue = OfflineQueue;
  window.SummitOfflineQueue.randomNonce = randomNonce;
})();
