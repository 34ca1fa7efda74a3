// The notice-board display's service worker, served by the app at /kiosk/sw.js with the
// scope /kiosk. It lets a display that starts while the server is down show the last
// content it had: the page, its refresh fragment and its stylesheet and script are asked
// from the network first and kept; when the network fails (or the server answers 5xx) the
// kept copy is answered instead, the fragment marked with X-Dwgk-Kiosk-Offline so that the
// page shows "● 离线". The page's own refresh loop brings it back when the server answers.
//
// What is kept, and only that: same-origin GET answers under /kiosk and /static (the
// public kiosk's own), fetched WITHOUT cookies (credentials "omit") so that even a display
// opened in an insider's browser keeps only what the public sees; only plain 200s that are
// not marked private or no-store. Everything else is not touched by this worker.
"use strict";

var CACHE = "dwgk-kiosk-v1";
var CACHED_PATHS = [/^\/kiosk(\/|$)/, /^\/static\//];
var OFFLINE_HEADER = "X-Dwgk-Kiosk-Offline";
// A server that accepts the connection but does not answer: the kept copy after this long.
var NETWORK_TIMEOUT_MS = 8000;

function cacheable(url) {
  if (url.origin !== self.location.origin) { return false; }
  return CACHED_PATHS.some(function (pattern) { return pattern.test(url.pathname); });
}

function keepable(response) {
  var control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return response.status === 200 && response.type === "basic" && !response.redirected &&
         control.indexOf("no-store") === -1 && control.indexOf("private") === -1;
}

function bareTag(value) {
  return (value || "").replace(/^W\//, "").replace(/"/g, "").trim();
}

// The same request without cookies, keeping only the page's If-None-Match (the refresh
// asks with the ETag of what it shows and handles 304 itself).
function withoutCredentials(request, url) {
  var headers = {};
  var tag = request.headers.get("If-None-Match");
  if (tag) { headers["If-None-Match"] = tag; }
  return new Request(url.href, {
    method: "GET", headers: headers, credentials: "omit", redirect: "error",
    mode: "same-origin", cache: tag ? "no-store" : "no-cache",
  });
}

function marked(response) {
  var headers = new Headers(response.headers);
  headers.set(OFFLINE_HEADER, "1");
  return response.blob().then(function (body) {
    return new Response(body, { status: response.status, statusText: response.statusText,
                                headers: headers });
  });
}

function fromCache(key, request) {
  return caches.open(CACHE).then(function (cache) { return cache.match(key); })
    .then(function (kept) {
      if (!kept) { return Response.error(); }
      // The page is answered as it was; a fragment or a fetch carries the mark.
      return request.mode === "navigate" ? kept : marked(kept);
    });
}

function remember(key, tag, response) {
  return caches.open(CACHE).then(function (cache) {
    if (response.status === 200) {
      return keepable(response) ? cache.put(key, response) : cache.delete(key);
    }
    if (response.status === 404 || response.status === 410) { return cache.delete(key); }
    if (response.status === 304 && tag) {
      // The page shows this tag's content: a kept copy with another tag is older.
      return cache.match(key).then(function (kept) {
        if (kept && bareTag(kept.headers.get("ETag")) !== bareTag(tag)) {
          return cache.delete(key);
        }
        return null;
      });
    }
    return null;
  });
}

function networkFirst(event, url) {
  var request = event.request;
  url.hash = "";
  var key = url.href;
  var tag = request.headers.get("If-None-Match");
  var network = fetch(withoutCredentials(request, url)).then(function (response) {
    if (response.status < 500) {
      event.waitUntil(remember(key, tag, response.clone()).catch(function () {}));
    }
    return response;
  });
  var timer;
  var slow = new Promise(function (resolve) {
    timer = setTimeout(function () { resolve(null); }, NETWORK_TIMEOUT_MS);
  });
  return Promise.race([network.catch(function () { return null; }), slow])
    .then(function (answered) {
      clearTimeout(timer);
      if (answered && answered.status < 500) { return answered; }
      // Down, too slow, or failing (5xx, e.g. the database is away): the kept copy if
      // there is one; otherwise whatever the network gives in the end.
      return fromCache(key, request).then(function (kept) {
        if (kept.type !== "error") { return kept; }
        return answered || network.catch(function () { return kept; });
      });
    });
}

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("dwgk-kiosk-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (!cacheable(url)) { return; }  // the browser's own way, untouched
  event.respondWith(networkFirst(event, url));
});

// A page that was open before this worker took over sends its own address and assets
// once, so that they are kept without waiting for the next start.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) { return; }
  event.waitUntil(Promise.all(data.urls.slice(0, 20).map(function (href) {
    var url;
    try { url = new URL(href, self.location.origin); } catch (error) { return null; }
    if (!cacheable(url)) { return null; }
    url.hash = "";
    return fetch(new Request(url.href, { credentials: "omit", redirect: "error",
                                         mode: "same-origin", cache: "no-cache" }))
      .then(function (response) { return remember(url.href, null, response); })
      .catch(function () {});
  })));
});
