/* Summit: the check-in desk's service worker (served by the desk, one per event).
 *
 * It keeps the desk's shell (the page, its scripts and styles, the vendored htmx, the camera's
 * barcode decoder) so that the desk opens, scans and queues with no network, even after a reload.
 * - The desk page: from the network when it answers (within a few seconds), kept for later;
 *   from the cache when it does not. Only a plain 200 of the desk itself is kept.
 * - Files under /static/: from the cache at once, refreshed from the network behind it.
 * - Everything else (scans, searches, other pages, the CDN) goes to the network as usual: a scan
 *   that cannot be sent is queued by the page (offline-queue.js), never by this worker.
 * The version changes whenever a file of the shell does, so a new deploy installs a new shell.
 */
"use strict";

const VERSION = {{ version|tojson }};
const DESK = {{ desk_url|tojson }};
const SHELL = {{ shell|tojson }};
const STATIC = {{ static_prefix|tojson }};
const PREFIX = "summit-desk:" + DESK + ":";
const CACHE = PREFIX + VERSION;
const PAGE_PATIENCE_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: "reload" })));
    const page = await fetch(DESK, { credentials: "same-origin", cache: "no-store" });
    if (keepable(page)) await cache.put(DESK, page);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function keepable(response) {
  return response && response.ok && response.status === 200 && response.type === "basic" &&
    !response.redirected;
}

function withPatience(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no answer")), ms);
    promise.then((r) => { clearTimeout(timer); resolve(r); },
                 (e) => { clearTimeout(timer); reject(e); });
  });
}

async function deskPage(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withPatience(fetch(request), PAGE_PATIENCE_MS);
    if (keepable(response)) await cache.put(DESK, response.clone());
    return response;
  } catch (err) {
    const kept = await cache.match(DESK);
    if (kept) return kept;
    throw err;
  }
}

async function staticFile(event) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(event.request);
  const fresh = fetch(event.request).then(async (response) => {
    if (keepable(response)) await cache.put(event.request, response.clone());
    return response;
  });
  if (kept) {
    event.waitUntil(fresh.catch(() => null));
    return kept;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname === DESK) event.respondWith(deskPage(request));
    return;
  }
  if (url.pathname.startsWith(STATIC) && !url.search) event.respondWith(staticFile(event));
});
