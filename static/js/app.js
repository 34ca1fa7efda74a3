// dwgk's own script: small on purpose. Works with htmx 2.0.x (pinned in package.json).
(function () {
  "use strict";

  // The error summary (templates/_macros/forms.html): focus on it when the page (or an
  // htmx fragment) shows one; its links put the focus in their field, or in the editor
  // that stands for a hidden text area.
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (!summary) { return; }
    if (document.title.indexOf("错误：") !== 0) { document.title = "错误：" + document.title; }
    summary.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  document.addEventListener("htmx:afterSwap", function (event) { focusSummary(event.detail.target); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-error-summary] a[href^='#']") : null;
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    if (field.dwgkEditor) { field.dwgkEditor.focus(); } else { field.focus(); }
    (field.closest(".field") || field).scrollIntoView({block: "center"});
  });

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

  // An error answer htmx does not swap (413, 403, 500…): say what happened, in Chinese,
  // instead of leaving the page as if nothing was sent.
  var ERRORS = {
    403: "您没有执行此操作的权限。",
    404: "要操作的内容不存在，或已被撤回。",
    409: "该内容已被他人修改，请刷新页面后重试。",
    413: "上传的文件过大，请压缩或分开上传。",
    429: "操作过于频繁，请稍后再试。",
    503: "系统维护中：数据库暂时无法连接，请稍后重试（刚才的操作可能没有保存）。"
  };
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var message = ERRORS[status] || "服务器处理请求时出错（" + status + "），请稍后重试。";
    var box = document.getElementById("request-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "request-error";
      box.className = "flash flash-error";
      box.setAttribute("role", "alert");
      var main = document.getElementById("main");
      if (main) { main.insertBefore(box, main.firstChild); }
    }
    box.textContent = message;
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      ["connection-error", "request-error"].forEach(function (id) {
        var box = document.getElementById(id);
        if (box) { box.remove(); }
      });
    }
  });
})();
