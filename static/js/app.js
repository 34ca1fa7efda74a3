// dwgk's own script: small on purpose. Works with htmx 2.0.x (pinned in package.json).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every htmx request carries the CSRF token in a header (Flask-WTF reads X-CSRFToken).
  document.addEventListener("htmx:configRequest", function (event) {
    var verb = (event.detail.verb || "get").toLowerCase();
    if (verb !== "get") {
      event.detail.headers["X-CSRFToken"] = csrfToken();
    }
  });

  // A request that failed at the network level: say so instead of doing nothing.
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("connection-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "connection-error";
      box.className = "flash flash-error";
      box.setAttribute("role", "alert");
      box.textContent = "无法连接服务器，请检查网络后重试。";
      var main = document.getElementById("main");
      if (main) { main.insertBefore(box, main.firstChild); }
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      var box = document.getElementById("connection-error");
      if (box) { box.remove(); }
    }
  });
})();
