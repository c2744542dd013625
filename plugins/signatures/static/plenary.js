/* The plenary screen (signatures plugin): asks the server every few seconds whether anything
   changed (If-None-Match: a 304 costs almost nothing) and updates the page in place; a
   "Full screen" button through the Fullscreen API. The page is complete without this file. */
(function () {
  "use strict";

  var MARKS = { signed: "\u2713", supported: "\u2713", withdrawn: "\u2715", pending: "\u25cb" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function byId(id) { return document.getElementById(id); }

  function timeNode(iso, text) {
    var node = el("time", "", text);
    node.setAttribute("datetime", iso);
    return node;
  }

  function cell(d, latestId, isNew) {
    var li = el("li", "plenary-delegation is-" + d.status);
    li.setAttribute("data-id", String(d.id));
    if (d.id === latestId) { li.classList.add("is-latest"); }
    if (isNew) { li.classList.add("is-new"); }
    var mark = el("span", "plenary-mark", MARKS[d.status] || "");
    mark.setAttribute("aria-hidden", "true");
    li.appendChild(mark);
    li.appendChild(el("span", "plenary-name", d.name));
    var status = el("span", "plenary-status", d.status_label);
    if (d.time) {
      status.appendChild(document.createTextNode(" "));
      status.appendChild(timeNode(d.signed_at, d.time));
    }
    li.appendChild(status);
    return li;
  }

  function recentItem(r) {
    var li = el("li");
    li.setAttribute("data-id", String(r.signature_id));
    li.appendChild(el("span", "plenary-recent-name", r.delegation));
    li.appendChild(el("span", "plenary-recent-who",
      r.signatory_title ? r.signatory_name + ", " + r.signatory_title : r.signatory_name));
    li.appendChild(timeNode(r.signed_at, r.when));
    return li;
  }

  function replaceChildren(parent, children) {
    while (parent.firstChild) { parent.removeChild(parent.firstChild); }
    children.forEach(function (child) { parent.appendChild(child); });
  }

  function render(board, data, known) {
    byId("plenary-headline").textContent = data.headline;
    var supporters = byId("plenary-supporters");
    supporters.textContent = data.supporters_line || "";
    supporters.hidden = !data.supporters_line;
    var fresh = data.recent.filter(function (r) { return !known[r.signature_id]; });
    var freshDelegations = {};
    fresh.forEach(function (r) { freshDelegations[r.delegation_id] = true; });
    var latestId = data.recent.length ? data.recent[0].delegation_id : null;
    replaceChildren(byId("plenary-grid"), data.delegations.map(function (d) {
      return cell(d, latestId, Boolean(freshDelegations[d.id]) && d.status !== "pending");
    }));
    replaceChildren(byId("plenary-recent"), data.recent.map(recentItem));
    byId("plenary-none").hidden = data.recent.length > 0;
    if (fresh.length) {
      /* Oldest first, so the sentence reads in the order the delegations signed. */
      byId("plenary-announcement").textContent = board.getAttribute("data-text-latest") + " " +
        fresh.slice().reverse().map(function (r) { return r.announcement; }).join(" ");
    }
    data.recent.forEach(function (r) { known[r.signature_id] = true; });
  }

  function startPolling(board) {
    var url = board.getAttribute("data-poll-url");
    var version = board.getAttribute("data-version");
    var seconds = parseInt(board.getAttribute("data-poll-seconds"), 10) || 5;
    var connection = byId("plenary-connection");
    var known = {};
    Array.prototype.forEach.call(byId("plenary-recent").children, function (li) {
      known[li.getAttribute("data-id")] = true;
    });
    var timer = null;
    var failures = 0;

    function schedule(delay) {
      window.clearTimeout(timer);
      timer = window.setTimeout(poll, delay * 1000);
    }

    function say(text) {
      connection.textContent = text || "";
      connection.hidden = !text;
    }

    function poll() {
      if (document.hidden) { return; }  /* resumed by visibilitychange */
      window.fetch(url, {
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        headers: { "Accept": "application/json", "If-None-Match": '"' + version + '"' }
      }).then(function (response) {
        if (response.status === 304) { return null; }
        if (response.type === "opaqueredirect" || response.status === 401 ||
            response.status === 403 || response.status === 404) {
          throw { stop: true };
        }
        if (!response.ok) { throw { stop: false }; }
        return response.json();
      }).then(function (data) {
        failures = 0;
        say("");
        if (data) {
          version = data.version;
          render(board, data, known);
        }
        schedule(seconds);
      }).catch(function (problem) {
        if (problem && problem.stop) {
          say(board.getAttribute("data-text-stopped"));
          return;
        }
        failures += 1;
        say(board.getAttribute("data-text-lost"));
        schedule(Math.min(60, seconds * Math.pow(2, failures)));
      });
    }

    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) { schedule(0); }
    });
    schedule(seconds);
  }

  function setUpFullscreen(board) {
    var button = byId("plenary-fullscreen");
    if (!button || !document.fullscreenEnabled || !board.requestFullscreen) { return; }
    function label() {
      var on = document.fullscreenElement === board;
      button.textContent = board.getAttribute(on ? "data-text-leave" : "data-text-enter");
    }
    button.addEventListener("click", function () {
      if (document.fullscreenElement) {
        document.exitFullscreen();
      } else {
        board.requestFullscreen().catch(function () { /* refused: the page stays as it is */ });
      }
    });
    document.addEventListener("fullscreenchange", label);
    button.hidden = false;
    label();
  }

  function start() {
    var board = byId("plenary");
    if (!board || !window.fetch) { return; }
    setUpFullscreen(board);
    startPolling(board);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
