/* The receipt's "复制查询码" button (templates/feedback/slip.html). Without JavaScript, or
   without a clipboard, the button stays hidden: the code is on the page to copy or print. */
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!source) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) status.textContent = "已复制。";
      }, function () {
        if (status) status.textContent = "无法复制，请手动抄下查询码。";
      });
    });
  });
})();
