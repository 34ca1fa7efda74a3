// The notice-board display (/kiosk). It runs for days without anyone at the keyboard, so:
// - it never reloads itself (with the server down, a reload would leave the browser's error
//   page on screen): it fetches the content fragment and swaps it in place;
// - a failed refresh changes nothing but a small "● 离线" mark; it retries on its own;
// - it holds a fixed set of timers (clock, rotation, refresh) and replaces nodes instead of
//   adding them, so the page's memory stays flat;
// - it registers the kiosk's service worker (/kiosk/sw.js, static/js/kiosk-sw.js), which keeps
//   the page and its content so that a display started while the server is down shows the
//   last content it had. A refresh answered from that copy (X-Dwgk-Kiosk-Offline) counts as
//   offline. The first refresh runs at once, so that a page from the copy says so at once.
(function () {
  "use strict";

  var body = document.body;
  var contentUrl = body.getAttribute("data-content-url");
  var refreshMs = Math.max(parseFloat(body.getAttribute("data-refresh")) || 30, 0.1) * 1000;
  var FETCH_TIMEOUT_MS = 10000;
  var offlineMark = document.getElementById("kiosk-offline");
  var dateEl = document.getElementById("kiosk-date");
  var timeEl = document.getElementById("kiosk-time");
  var parser = document.createElement("template");
  var currentId = null;

  function content() {
    return document.getElementById("kiosk-content");
  }

  function setText(el, text) {
    if (el && el.textContent !== text) { el.textContent = text; }
  }

  // --- the clock: the unit's time (Asia/Shanghai), whatever zone the display box is set to.
  var zone = { timeZone: "Asia/Shanghai" };
  var dateFormat = new Intl.DateTimeFormat("zh-CN", Object.assign(
    { year: "numeric", month: "long", day: "numeric", weekday: "long" }, zone));
  var timeFormat = new Intl.DateTimeFormat("zh-CN", Object.assign(
    { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }, zone));

  function tick() {
    var now = new Date();
    setText(dateEl, dateFormat.format(now));
    setText(timeEl, timeFormat.format(now));
  }

  // --- rotation: one item at a time; the list marks the one shown.
  function show(index) {
    var root = content();
    var slides = root.querySelectorAll(".kiosk-slide");
    if (!slides.length) { currentId = null; return; }
    var shown = slides[((index % slides.length) + slides.length) % slides.length];
    currentId = shown.getAttribute("data-id");
    Array.prototype.forEach.call(slides, function (slide) {
      slide.classList.toggle("is-current", slide === shown);
    });
    Array.prototype.forEach.call(root.querySelectorAll(".kiosk-list li[data-id]"), function (li) {
      li.classList.toggle("is-current", li.getAttribute("data-id") === currentId);
    });
  }

  function indexOfCurrent() {
    var slides = content().querySelectorAll(".kiosk-slide");
    for (var i = 0; i < slides.length; i++) {
      if (slides[i].getAttribute("data-id") === currentId) { return i; }
    }
    return -1;
  }

  function rotationMs() {
    var seconds = parseFloat(content().getAttribute("data-rotation")) || 15;
    return Math.max(seconds, 1) * 1000;
  }

  function rotate() {
    show(indexOfCurrent() + 1);
    setTimeout(rotate, rotationMs());
  }

  // --- refresh: If-None-Match with the shown content's ETag; 304 means nothing to do.
  function setOffline(offline) {
    if (offlineMark) { offlineMark.hidden = !offline; }
    body.classList.toggle("is-offline", offline);
  }

  function swap(html, etag) {
    parser.innerHTML = html;
    var fresh = parser.content.firstElementChild;
    if (!fresh || fresh.id !== "kiosk-content") {
      parser.innerHTML = "";
      throw new Error("not the screen's content");  // e.g. a proxy's page: keep what is shown
    }
    if (etag) { fresh.setAttribute("data-etag", etag); }
    content().replaceWith(fresh);
    parser.innerHTML = "";
    var orientation = fresh.getAttribute("data-orientation") || "landscape";
    body.classList.toggle("kiosk-landscape", orientation === "landscape");
    body.classList.toggle("kiosk-portrait", orientation === "portrait");
    // Stay on the item shown if it is still there; otherwise start with the newest.
    show(Math.max(indexOfCurrent(), 0));
  }

  // The kept copy of a photo is not made (only /kiosk and /static are kept): when a photo
  // cannot be loaded, the slide is laid out without it rather than with a broken image.
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (!img || !img.classList || !img.classList.contains("kiosk-slide-image")) { return; }
    var slide = img.closest(".kiosk-slide");
    if (slide) { slide.classList.remove("has-image"); }
    img.remove();
  }, true);

  function refresh() {
    var controller = new AbortController();
    var timeout = setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS);
    var etag = content().getAttribute("data-etag");
    var headers = etag ? { "If-None-Match": '"' + etag + '"' } : {};
    fetch(contentUrl, { cache: "no-store", credentials: "same-origin", redirect: "error",
                        headers: headers, signal: controller.signal })
      .then(function (response) {
        if (response.status === 304) { return { kept: false }; }
        if (response.status !== 200) { throw new Error("HTTP " + response.status); }
        var kept = response.headers.get("X-Dwgk-Kiosk-Offline") === "1";
        var fresh = (response.headers.get("ETag") || "").replace(/^W\/|"/g, "");
        if (fresh && fresh === content().getAttribute("data-etag")) { return { kept: kept }; }
        return response.text().then(function (html) {
          return { html: html, etag: fresh, kept: kept };
        });
      })
      .then(function (result) {
        if (result.html) { swap(result.html, result.etag); }
        setOffline(result.kept);
      })
      .catch(function () { setOffline(true); })
      .then(function () {
        clearTimeout(timeout);
        setTimeout(refresh, refreshMs);
      });
  }

  // Nothing on the screen leads anywhere: no context menu, no dragging (a touch screen).
  document.addEventListener("contextmenu", function (event) { event.preventDefault(); });
  document.addEventListener("dragstart", function (event) { event.preventDefault(); });

  // --- the service worker: on this page only (kiosk_base.html is the kiosk's alone). Needs a
  // secure context (HTTPS, or localhost); elsewhere the screen works as before without it.
  function registerWorker() {
    var script = body.getAttribute("data-sw");
    if (!script || !("serviceWorker" in navigator) || !window.isSecureContext) { return; }
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.register(script, { scope: body.getAttribute("data-sw-scope") || "/kiosk" })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (registration) {
        if (controlled || !registration.active) { return; }
        // This page came before the worker: have it keep the page and what it uses now.
        var urls = [location.href];
        Array.prototype.forEach.call(document.querySelectorAll(
          "link[rel~='stylesheet'][href], link[rel~='icon'][href], script[src]"), function (el) {
          urls.push(el.href || el.src);
        });
        registration.active.postMessage({ type: "keep", urls: urls });
      })
      .catch(function () {});  // without the worker the screen still refreshes itself
  }

  tick();
  setInterval(tick, 1000);
  show(0);
  setTimeout(rotate, rotationMs());
  refresh();
  registerWorker();
}());
