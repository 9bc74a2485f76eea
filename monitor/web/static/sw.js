// The service worker: the app shell from its cache, so the app opens with no network.
// API answers are never cached here (they name people; the app seals them in IndexedDB).
// A new VERSION (any change to the shell) installs a new cache and drops the old one;
// the outbox lives in IndexedDB and is untouched by updates.

const VERSION = "2026-12-02.2-idb";
const CACHE = `monitor-shell-${VERSION}`;
const SHELL = [
  "./", "index.html", "manifest.webmanifest", "catalogue.json", "css/app.css",
  "icons/icon.svg", "icons/icon-192.png", "icons/icon-512.png",
  "locales/en.json", "locales/es.json", "locales/fr.json", "locales/ar.json",
  "js/main.js", "js/api.js", "js/attachments.js", "js/crypto.js", "js/dom.js", "js/estimate.js", "js/forms.js", "js/i18n.js", "js/idb.js",
  "js/records.js", "js/store.js", "js/sync.js", "js/tz.js", "js/ui.js",
  "js/views/monitor.js", "js/views/outbox.js", "js/views/partner.js", "js/views/session.js",
];

self.addEventListener("install", (event) => {
  // Fetch past the HTTP cache so a new version never stores an old file.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL.map((u) => new Request(u, { cache: "reload" }))))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(
    keys.filter((k) => k.startsWith("monitor-shell-") && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const scope = new URL(self.registration.scope);
  if (event.request.method !== "GET" || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)
      || url.pathname.endsWith("/sw.js")) return;
  const key = event.request.mode === "navigate" ? "index.html" : event.request;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const hit = await cache.match(key, { ignoreSearch: event.request.mode === "navigate" });
    return hit || fetch(event.request);
  }));
});
