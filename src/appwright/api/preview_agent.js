/* appwright preview agent: injected first in every HTML page the preview serves, so that it
 * hears the errors of every script after it. It is injected as one line (so the page's own
 * line numbers, which its errors quote, stay right): no line comments, every statement ends
 * with its semicolon. It talks to the workspace (window.parent) by
 * postMessage only; the preview runs on an origin of its own, so it holds no storage and no
 * credentials of the workspace, and the workspace checks every message's origin.
 *   posts:   {appwright:"ready", href} on load, {appwright:"location", href} when the page's
 *            URL changes in place (history, hash), {appwright:"scroll", x, y} (throttled),
 *            {appwright:"css-applied", path, count} after a hot-swap,
 *            {appwright:"console", level, message, source} for console.error, uncaught
 *            exceptions, unhandled rejections and resources that failed to load
 *   Every message carries `doc`, an id of the document that sent it.
 *   accepts: {appwright:"css", path}, {appwright:"reload"}, {appwright:"scroll-to", x, y}
 */
(function () {
  "use strict";
  if (window.__appwrightAgent || window.parent === window) return;
  window.__appwrightAgent = true;

  var parentWindow = window.parent;
  /* This document's id: the workspace shows the errors of the document on screen only. */
  var doc = Math.random().toString(36).slice(2) + Date.now().toString(36);
  function post(message) {
    message.doc = doc;
    try {
      parentWindow.postMessage(message, "*");
    } catch (e) {
      /* a message that cannot be cloned is dropped, never thrown into the app */
    }
  }

  /* ---- errors ---- */

  var MAX_TEXT = 2000;
  var MAX_REPORTS = 200;
  var reports = 0;
  function describe(value) {
    if (value instanceof Error) return (value.stack && value.stack.indexOf(value.message) >= 0) ? value.stack : value.name + ": " + value.message;
    if (typeof value === "string") return value;
    try {
      return JSON.stringify(value);
    } catch (e) {
      return String(value);
    }
  }
  function report(level, message, source) {
    if (reports >= MAX_REPORTS) return; /* an error in a loop must not flood the workspace */
    reports++;
    post({
      appwright: "console",
      level: level,
      message: String(message).slice(0, MAX_TEXT),
      source: source ? String(source).slice(0, MAX_TEXT) : "",
      page: location.pathname,
    });
  }

  var consoleError = console.error;
  console.error = function () {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) parts.push(describe(arguments[i]));
    report("error", parts.join(" "), "");
    return consoleError.apply(console, arguments);
  };

  window.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      /* A resource (image, script, stylesheet) that failed to load: no message of its own. */
      report("error", "Failed to load " + (target.src || target.href), target.tagName.toLowerCase());
      return;
    }
    var where = event.filename ? event.filename + ":" + event.lineno + ":" + event.colno : "";
    report("exception", event.error ? describe(event.error) : event.message, where);
  }, true);

  window.addEventListener("unhandledrejection", function (event) {
    report("rejection", "Unhandled promise rejection: " + describe(event.reason), "");
  });

  /* ---- where the page is ---- */

  function reportLocation() {
    post({ appwright: "location", href: location.href });
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(this, arguments);
      reportLocation();
      return result;
    };
  });
  window.addEventListener("popstate", reportLocation);
  window.addEventListener("hashchange", reportLocation);

  /* ---- scroll ---- */

  var scrollTimer = 0;
  function reportScroll() {
    scrollTimer = 0;
    post({ appwright: "scroll", x: window.scrollX, y: window.scrollY });
  }
  window.addEventListener("scroll", function () {
    if (!scrollTimer) scrollTimer = setTimeout(reportScroll, 100);
  }, { passive: true });

  /* ---- CSS hot swap ---- */

  function samePath(href, path) {
    try {
      var pathname = new URL(href, document.baseURI).pathname;
      return decodeURIComponent(pathname).replace(/\/+$/, "").endsWith("/" + path.replace(/^\/+/, ""));
    } catch (e) {
      return false;
    }
  }

  function swapCss(path) {
    var links = document.querySelectorAll('link[rel~="stylesheet"][href]');
    var count = 0;
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      if (!samePath(link.href, path)) continue;
      var url = new URL(link.href, document.baseURI);
      url.searchParams.set("appwright", String(Date.now()));
      var fresh = link.cloneNode();
      fresh.href = url.toString();
      /* Swap when the new sheet has loaded, so the page never shows unstyled. */
      fresh.addEventListener("load", function (old) {
        return function () { old.remove(); };
      }(link), { once: true });
      fresh.addEventListener("error", function (old) {
        return function () { old.remove(); };
      }(link), { once: true });
      link.after(fresh);
      count++;
    }
    post({ appwright: "css-applied", path: path, count: count });
  }

  window.addEventListener("message", function (event) {
    if (event.source !== parentWindow) return;
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.appwright !== "string") return;
    if (data.appwright === "css" && typeof data.path === "string") swapCss(data.path);
    else if (data.appwright === "reload") location.reload();
    else if (data.appwright === "scroll-to") window.scrollTo(Number(data.x) || 0, Number(data.y) || 0);
  });

  function ready() {
    post({ appwright: "ready", href: location.href });
  }
  if (document.readyState === "complete") ready();
  else window.addEventListener("load", ready, { once: true });
})();
