import { useEffect, useState } from "react";
import { listen } from "../lib/tracked";

export type Route = { page: "apps" } | { page: "workspace"; appId: string };

function parse(pathname: string): Route {
  const m = /^\/apps\/([^/]+)\/?$/.exec(pathname);
  return m ? { page: "workspace", appId: decodeURIComponent(m[1]) } : { page: "apps" };
}

export function navigate(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new PopStateEvent("popstate"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(window.location.pathname));
  useEffect(() => listen(window, "popstate", () => setRoute(parse(window.location.pathname))), []);
  return route;
}
