/* alliance-conf: progressive enhancement only. Every page works without this file. */
(function () {
  "use strict";

  var messages = null;

  /* A sentence in the page's language (base.html's js-messages meta element), else the English given. */
  function text(key, english) {
    if (messages === null) {
      var source = document.querySelector('meta[name="js-messages"]');
      try { messages = source ? JSON.parse(source.content) : {}; } catch (e) { messages = {}; }
    }
    return messages[key] || english;
  }

  var COOKIE = "alliance_download";

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].split("=");
      if (pair[0] === name) { return decodeURIComponent(pair.slice(1).join("=")); }
    }
    return "";
  }

  function clearCookie(name) {
    document.cookie = name + "=; Max-Age=0; path=/; SameSite=Lax";
  }

  /* A form that did not go through: bring the error summary to the keyboard and reader. */
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  /* Long exports: say that something is happening until the download starts. */
  function watchExports() {
    var forms = document.querySelectorAll("form[data-progress]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function () {
        var token = String(Date.now()) + String(Math.floor(Math.random() * 1e6));
        var input = form.querySelector("input[name=progress_token]");
        if (!input) {
          input = document.createElement("input");
          input.type = "hidden";
          input.name = "progress_token";
          form.appendChild(input);
        }
        input.value = token;
        var message = form.querySelector(".progress-message");
        var button = form.querySelector("button[type=submit], button:not([type])");
        if (message) {
          message.hidden = false;
          message.textContent = form.getAttribute("data-progress");
        }
        form.classList.add("is-busy");
        if (button) { button.setAttribute("aria-disabled", "true"); }
        var started = Date.now();
        var timer = window.setInterval(function () {
          var done = readCookie(COOKIE) === token;
          if (done || Date.now() - started > 120000) {
            window.clearInterval(timer);
            clearCookie(COOKIE);
            form.classList.remove("is-busy");
            if (button) { button.removeAttribute("aria-disabled"); }
            if (message) { message.textContent = done ? text("download_started", "Your download has started.") : ""; }
          }
        }, 500);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    focusErrorSummary();
    watchExports();
  });
}());
