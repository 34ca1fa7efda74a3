/* The rich-text editor for item bodies (Quill 2, static/vendor/quill.js).
   Progressive: the page has a plain <textarea data-editor>; without JavaScript (or when
   Quill failed to load) it stays a text area and the server keeps its line breaks.
   With it, Quill edits the same HTML and writes it back into the textarea on submit.
   No inline script or style: Quill sets positions through element.style (CSSOM), which
   the CSP `style-src 'self'` allows; the stored HTML has no style at all (the server
   removes it). */
(function () {
  "use strict";
  if (!window.Quill) return;

  var LABELS = {
    header: "标题", bold: "加粗", italic: "倾斜", underline: "下划线",
    "list-ordered": "编号列表", "list-bullet": "项目列表", blockquote: "引用",
    link: "链接", image: "插入图片", clean: "清除格式", undo: "撤销", redo: "重做"
  };
  var FORMATS = ["header", "bold", "italic", "underline", "strike", "list", "blockquote",
                 "link", "image", "table", "script"];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function label(button, text) {
    button.setAttribute("title", text);
    button.setAttribute("aria-label", text);
    var span = document.createElement("span");
    span.className = "ql-label";
    span.textContent = text;
    button.appendChild(span);
  }

  function uploadImage(quill, url, status) {
    var input = document.createElement("input");
    input.type = "file";
    input.accept = "image/png,image/jpeg,image/gif,image/webp";
    input.addEventListener("change", function () {
      if (!input.files.length) return;
      var data = new FormData();
      data.append("files", input.files[0]);
      data.append("csrf_token", csrfToken());
      status.textContent = "正在上传图片……";
      fetch(url, {method: "POST", body: data, credentials: "same-origin",
                  headers: {"Accept": "application/json", "X-CSRFToken": csrfToken()}})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (!answer.images || !answer.images.length) {
            status.textContent = (answer.errors || ["图片未上传。"]).join(" ");
            return;
          }
          var range = quill.getSelection(true);
          answer.images.forEach(function (image) {
            quill.insertEmbed(range.index, "image", image.url, "user");
            range.index += 1;
          });
          quill.setSelection(range.index, 0);
          status.textContent = "图片已插入，并已作为本事项的附件保存。";
        })
        .catch(function () { status.textContent = "图片上传失败，请检查网络后重试。"; });
    });
    input.click();
  }

  function enhance(textarea) {
    var uploadUrl = textarea.getAttribute("data-upload-url");
    var toolbar = [[{header: [2, 3, false]}], ["bold", "italic", "underline"],
                   [{list: "ordered"}, {list: "bullet"}, "blockquote"],
                   uploadUrl ? ["link", "image"] : ["link"], ["undo", "redo", "clean"]];
    var box = document.createElement("div");
    box.className = "editor-box";
    var status = document.createElement("p");
    status.className = "hint editor-status";
    status.setAttribute("role", "status");
    textarea.parentNode.insertBefore(box, textarea);
    textarea.parentNode.insertBefore(status, textarea.nextSibling);
    var quill = new window.Quill(box, {
      theme: "snow",
      formats: FORMATS,
      modules: {
        table: true,
        history: {delay: 800, maxStack: 200, userOnly: true},
        toolbar: {
          container: toolbar,
          handlers: {
            undo: function () { quill.history.undo(); },
            redo: function () { quill.history.redo(); },
            image: function () { uploadImage(quill, uploadUrl, status); }
          }
        }
      },
      placeholder: "在此输入正文，或从 Word、Excel、微信中复制粘贴……"
    });
    if (textarea.value.trim()) {
      quill.clipboard.dangerouslyPasteHTML(textarea.value, "silent");
      quill.history.clear();
    }
    var bar = box.previousElementSibling;
    Object.keys(LABELS).forEach(function (name) {
      bar.querySelectorAll(".ql-" + name).forEach(function (button) {
        if (button.tagName === "BUTTON") {
          var value = button.value ? name + "-" + button.value : name;
          label(button, LABELS[value] || LABELS[name]);
        }
      });
    });
    bar.querySelectorAll("button.ql-list").forEach(function (button) {
      label(button, LABELS["list-" + button.value]);
    });
    if (!uploadUrl) {
      status.textContent = "保存草稿后即可在正文中插入图片。";
    }
    textarea.hidden = true;
    textarea.form.addEventListener("submit", function () {
      // Quill 2.0.3 writes every space as &nbsp;: ordinary spaces let lines wrap on a phone.
      textarea.value = quill.getLength() > 1 ? quill.getSemanticHTML().replace(/&nbsp;/g, " ") : "";
    });
    // The field's label now names the editor, not the hidden text area.
    var fieldLabel = textarea.id ? document.querySelector('label[for="' + textarea.id + '"]') : null;
    box.querySelector(".ql-editor").setAttribute("aria-label", fieldLabel ? fieldLabel.textContent.trim() : "正文");
    if (fieldLabel) {
      fieldLabel.removeAttribute("for");
      fieldLabel.addEventListener("click", function () { quill.focus(); });
    }
    textarea.dwgkEditor = quill;
  }

  document.querySelectorAll("textarea[data-editor]").forEach(enhance);
})();
