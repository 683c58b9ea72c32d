/* appwright preview agent: injected before </body> of every HTML page the preview serves.
 * It talks to the workspace (window.parent) by postMessage only; the preview runs at an
 * opaque origin, so it holds no storage and no credentials of the workspace.
 *   posts:   {appwright:"ready"} on load, {appwright:"scroll", x, y} (throttled),
 *            {appwright:"css-applied", path, count} after a hot-swap
 *   accepts: {appwright:"css", path}, {appwright:"reload"}, {appwright:"scroll-to", x, y}
 */
(function () {
  "use strict";
  if (window.__appwrightAgent || window.parent === window) return;
  window.__appwrightAgent = true;

  var parentWindow = window.parent;
  function post(message) {
    parentWindow.postMessage(message, "*");
  }

  var scrollTimer = 0;
  function reportScroll() {
    scrollTimer = 0;
    post({ appwright: "scroll", x: window.scrollX, y: window.scrollY });
  }
  window.addEventListener("scroll", function () {
    if (!scrollTimer) scrollTimer = setTimeout(reportScroll, 100);
  }, { passive: true });

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
      // Swap when the new sheet has loaded, so the page never shows unstyled.
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
