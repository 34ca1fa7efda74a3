// The notice-board display (/kiosk). It runs for days without anyone at the keyboard, so:
// - it never reloads itself (with the server down, a reload would leave the browser's error
//   page on screen): it fetches the content fragment and swaps it in place;
// - a failed refresh changes nothing but a small "● 离线" mark; it retries on its own;
// - it holds a fixed set of timers (clock, rotation, refresh) and replaces nodes instead of
//   adding them, so the page's memory stays flat.
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

  function refresh() {
    var controller = new AbortController();
    var timeout = setTimeout(function () { controller.abort(); }, FETCH_TIMEOUT_MS);
    var etag = content().getAttribute("data-etag");
    var headers = etag ? { "If-None-Match": '"' + etag + '"' } : {};
    fetch(contentUrl, { cache: "no-store", credentials: "same-origin", redirect: "error",
                        headers: headers, signal: controller.signal })
      .then(function (response) {
        if (response.status === 304) { return null; }
        if (response.status !== 200) { throw new Error("HTTP " + response.status); }
        return response.text().then(function (html) {
          return { html: html, etag: (response.headers.get("ETag") || "").replace(/^W\/|"/g, "") };
        });
      })
      .then(function (result) {
        if (result) { swap(result.html, result.etag); }
        setOffline(false);
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

  tick();
  setInterval(tick, 1000);
  show(0);
  setTimeout(rotate, rotationMs());
  setTimeout(refresh, refreshMs);
}());
