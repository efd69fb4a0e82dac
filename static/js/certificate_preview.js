// The certificate kind's admin page: the preview PDF under the form, made again a moment after
// the template is edited. The current HTML and CSS are posted to the preview address into the
// frame (a form submission: no inline script, no blob address, same origin only).
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("certificate-preview");
    var form = document.querySelector("form#certificatekind_form") || (box && box.closest("form"));
    if (!box || !form) return;
    var html = form.querySelector("[name=template_html]");
    var css = form.querySelector("[name=template_css]");
    var type = form.querySelector("[name=type]");
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    var state = document.getElementById("certificate-preview-state");
    var timer = null;

    function post() {
      var send = document.createElement("form");
      send.method = "post";
      send.action = box.dataset.url;
      send.target = "certificate-preview-frame";
      send.hidden = true;
      [
        ["csrfmiddlewaretoken", token ? token.value : ""],
        ["template_html", html ? html.value : ""],
        ["template_css", css ? css.value : ""],
        ["type", type ? type.value : ""],
      ].forEach(function (pair) {
        var input = document.createElement("textarea");
        input.name = pair[0];
        input.value = pair[1];
        send.appendChild(input);
      });
      document.body.appendChild(send);
      send.submit();
      document.body.removeChild(send);
      if (state) state.textContent = "";
    }

    function later() {
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(post, 800);
    }

    [html, css, type].forEach(function (field) {
      if (field) {
        field.addEventListener("input", later);
        field.addEventListener("change", later);
      }
    });
    var refresh = document.getElementById("certificate-preview-refresh");
    if (refresh) refresh.addEventListener("click", post);
    post();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
