"""Where an app's preview lives: an origin other than the workspace's, decided in one place.

The preview runs the app's own scripts with a real origin (`allow-same-origin`), so that
`localStorage`, IndexedDB, cookies, dialogs and `fetch` of the app's own files work as on a
real host. That is safe only because the origin differs from the workspace's: the app's
scripts cannot read the workspace's token, storage or pages.

The origin must also be of the workspace's *site* (the same registrable domain): a browser
that blocks third-party storage (every private window, Safari, some settings) refuses
`localStorage` to a frame from another site, which is the very error the preview must not
give. So, first match wins:

- A template (`APPWRIGHT_PREVIEW_URL_TEMPLATE`, e.g. `https://{app}.preview.example.com`
  for a workspace at `https://appwright.example.com`): one origin per app under a wildcard
  domain the operator set up.
- A workspace reached by a name under `localhost` (by default `appwright.localhost`, where a
  workspace opened at `localhost` or `127.0.0.1` is sent: `local_redirect`):
  `http://{app}.appwright.localhost:{port}`, one origin per app on the same port. Browsers
  resolve every `*.localhost` name to the loopback address, this server tells the preview
  from the workspace by the `Host` header, and `{app}.appwright.localhost` is the same site
  as `appwright.localhost` (`app.localhost` and `localhost` would not be: `localhost` is a
  top-level name).
- Anything else (an IP address, a name that may have no wildcard DNS): a second port of
  the same process (`APPWRIGHT_PREVIEW_PORT`, by default the workspace's port + 1), one
  origin for every app, each under `/preview/{app}/`. Apps can read each other's storage
  there; a template gives each its own.

In a host name an app id's `_` becomes `-` (`app_1f..` is `app-1f..`): an underscore is not
allowed in a DNS name, and certificates for a wildcard domain would not cover it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import Scope

from appwright.config import template_problem

_LABEL = r"app-[0-9a-f]{1,64}"
# <app label>.<a name under localhost>: the app's preview on a local workspace's name.
_LOCAL_PREVIEW = re.compile(rf"^({_LABEL})\.([a-z0-9-]+(?:\.[a-z0-9-]+)*\.localhost)$")
_LOOPBACK_NAMES = ("localhost",)


def host_label(app_id: str) -> str:
    return app_id.replace("_", "-")


def app_of_label(label: str) -> str:
    return label.replace("-", "_")


def split_host(host_header: str) -> tuple[str, int | None]:
    """`Host` header -> (lower-case host name without brackets, port or None)."""
    host = host_header.strip().lower()
    port: int | None = None
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        if rest.startswith(":") and rest[1:].isdigit():
            port = int(rest[1:])
        return name, port
    name, sep, port_text = host.rpartition(":")
    if sep and port_text.isdigit() and ":" not in name:
        return name, int(port_text)
    return host, None


def is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_local_name(host: str) -> bool:
    """A name under `localhost` (not `localhost` itself): it can have subdomains of its site."""
    return host.endswith(".localhost") and host != ".localhost"


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@dataclass(frozen=True)
class PreviewTarget:
    """A request on a preview origin: the app it is for (None: named by the path, on the
    second port) and the URL prefix of the app's root there."""

    app_id: str | None
    per_app: bool

    def prefix(self, app_id: str) -> str:
        return "" if self.per_app else f"/preview/{app_id}"


@dataclass(frozen=True)
class PreviewLocation:
    """Where one app's preview is, as the browser opens it."""

    origin: str  # scheme://host[:port]
    root: str  # the app's root URL, ending in '/'

    @property
    def prefix(self) -> str:
        return urlsplit(self.root).path.rstrip("/")


class PreviewSites:
    """Builds preview locations and tells preview requests from the workspace's."""

    def __init__(
        self,
        template: str | None,
        port: int | None,
        public_url: str | None,
        local_name: str | None = None,
    ) -> None:
        problem = template_problem(template) if template else None
        if problem:
            raise ValueError(f"APPWRIGHT_PREVIEW_URL_TEMPLATE is not usable: {problem}")
        self.template = template.rstrip("/") if template else None
        self.port = port
        self.public_origin = _origin_of(public_url) if public_url else None
        self._template_host = _template_pattern(self.template) if self.template else None
        name = (local_name or "").lower()
        self.local_name = name if is_local_name(name) else None

    # ---- building links (asked on the workspace's origin) ----

    def location(self, app_id: str, scheme: str, host_header: str) -> PreviewLocation:
        """The preview of `app_id` for a workspace the browser reached as `host_header`."""
        label = host_label(app_id)
        if self.template:
            origin = self.template.replace("{app}", label)
            return PreviewLocation(origin, origin + "/")
        host, port = split_host(host_header)
        if is_local_name(host):
            origin = f"http://{label}.{host}" + (f":{port}" if port else "")
            return PreviewLocation(origin, origin + "/")
        second = self.port or (port or (443 if scheme == "https" else 80)) + 1
        origin = f"{scheme}://{_host_for_url(host)}:{second}"
        return PreviewLocation(origin, f"{origin}/preview/{app_id}/")

    # ---- telling requests apart ----

    def target(self, scope: Scope) -> PreviewTarget | None:
        """The preview this request is for, or None when it is the workspace's."""
        if scope["type"] not in ("http", "websocket"):
            return None
        host, _port = split_host(Headers(scope=scope).get("host", ""))
        local = _LOCAL_PREVIEW.match(host)
        if local:
            return PreviewTarget(app_of_label(local.group(1)), per_app=True)
        if self._template_host:
            matched = self._template_host.match(host)
            if matched:
                return PreviewTarget(app_of_label(matched.group(1)), per_app=True)
        server = scope.get("server")
        if self.port and server and server[1] == self.port:
            return PreviewTarget(None, per_app=False)
        return None

    def frame_ancestors(self, scope: Scope) -> str:
        """Who may frame a preview response: the workspace, wherever it may be."""
        sources = [self.public_origin] if self.public_origin else []
        host, _port = split_host(Headers(scope=scope).get("host", ""))
        local = _LOCAL_PREVIEW.match(host)
        if local:
            # The workspace is the name this preview's name is under.
            sources.append(f"http://{local.group(2)}:*")
        elif not self.template and host:
            # The second port: the workspace is the same host on another port.
            sources.append(f"{scope.get('scheme', 'http')}://{_host_for_url(host)}:*")
        return " ".join(dict.fromkeys(sources)) or "'none'"

    def local_redirect(self, scope: Scope) -> str | None:
        """Where a workspace page asked for at a loopback address (`localhost`, `127.0.0.1`)
        is sent: the same page under the local name, where previews get origins of their own
        on the workspace's site. None: it stays (no local name, or not a loopback address)."""
        if not self.local_name or self.template:
            return None
        host, port = split_host(Headers(scope=scope).get("host", ""))
        if not host or is_local_name(host) or not is_loopback(host):
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        path = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        where = f"http://{self.local_name}" + (f":{port}" if port else "")
        return where + path + (f"?{query}" if query else "")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else url


def _template_pattern(template: str) -> re.Pattern[str]:
    host = urlsplit(template.replace("{app}", "APPLABEL")).hostname or ""
    return re.compile("^" + re.escape(host).replace("applabel", f"({_LABEL})") + "$")
