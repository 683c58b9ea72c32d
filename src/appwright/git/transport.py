"""How we reach a remote: URL forms, credentials, deadlines, and failures as GitError.

Two kinds of remote are spoken: a local path / `file://` URL (dulwich's LocalGitClient,
no network) and `http(s)://` (dulwich's urllib3 client). A token travels only as HTTP
basic auth `x-access-token:<token>` (GitHub's form), in a header dulwich attaches per
request and only to the URL's own origin; it is never part of a URL dulwich sees, so
dulwich's exception texts (which quote URLs) cannot contain it. `scrub` (`redaction.py`) is
still applied
to every borrowed text, in case a future dulwich or urllib3 quotes a header.

Reach: every connection the HTTP client opens asks the remote policy (`reach.py`) for the
addresses the host may be reached at, and connects to those, never to a second lookup of
the name; a redirect to another host is checked the same way.

Deadlines: the async layer bounds the wait with `asyncio.timeout`, but the worker thread
cannot be killed, so the socket operations themselves are bounded too. Every HTTP request
gets connect/read timeouts equal to the time left before the deadline, urllib3's own
retries are off (the outbox retries, with backoff), every body read re-checks the
deadline, and `abort()` shuts the sockets of responses still being read.
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

import urllib3
from dulwich.client import (
    GitClient,
    HTTPUnauthorized,
    LocalGitClient,
    Urllib3HttpGitClient,
    default_urllib3_manager,
)
from dulwich.errors import GitProtocolError
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError

from appwright.git.errors import (
    AUTH_REFUSED,
    FETCH_TIMED_OUT,
    INVALID_REMOTE,
    PUSH_TIMED_OUT,
    REMOTE_UNREACHABLE,
    GitError,
)
from appwright.git.reach import RemotePolicy
from appwright.redaction import TOKEN_USERNAME
from appwright.redaction import redact as scrub  # noqa: F401 - git/outbox.py imports it here

if TYPE_CHECKING:
    from dulwich.client import HTTPResponse

Op = Literal["push", "fetch"]

# No urllib3-level retries: a retried request would outlive the deadline it was given,
# and the outbox already retries the whole operation with backoff. Redirects still work.
_NO_RETRIES = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0, redirect=5)
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")


class DeadlineExceeded(Exception):
    """The operation's deadline passed inside the worker thread."""


@dataclass(frozen=True)
class Endpoint:
    """A parsed remote. `location` is safe to show: a path, or a URL without userinfo."""

    kind: Literal["local", "http"]
    location: str
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password, self.username) if s and s != TOKEN_USERNAME)


def parse_remote(url: str, token: str | None) -> Endpoint:
    """Check a remote URL and split its credentials off. Raises `invalid_remote`."""
    url = url.strip()
    if not url:
        raise GitError("the remote URL is empty", code=INVALID_REMOTE)
    if "://" not in url:
        if _SCP_LIKE.match(url):
            raise GitError(
                "SSH remotes are not supported; use the https:// URL with a token",
                code=INVALID_REMOTE,
            )
        return Endpoint("local", url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises for a port that is not a number in range
    except ValueError:
        raise GitError("the remote URL cannot be parsed", code=INVALID_REMOTE) from None
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise GitError("file:// URLs must name a local path", code=INVALID_REMOTE)
        return Endpoint("local", unquote(parts.path))
    if scheme not in ("http", "https") or not parts.hostname:
        raise GitError(
            "a remote must be an https:// or http:// URL, a file:// URL or a local path",
            code=INVALID_REMOTE,
        )
    host = parts.netloc.rpartition("@")[2]
    location = urlunsplit((scheme, host, parts.path, "", ""))
    if token:
        return Endpoint("http", location, TOKEN_USERNAME, token)
    if parts.username:
        # Credentials written into the URL itself: honoured, and scrubbed like a token.
        return Endpoint("http", location, unquote(parts.username), unquote(parts.password or ""))
    return Endpoint("http", location)


def _checked_connection(base: type[HTTPConnection], policy: RemotePolicy) -> type[Any]:
    """`base`, connecting only to addresses `policy` allows for the connection's host."""

    class Checked(base):  # type: ignore[valid-type,misc]
        def _new_conn(self) -> socket.socket:
            host: str = self._dns_host  # type: ignore[has-type]
            failed: Exception | None = None
            for address in policy.addresses(host):
                self._dns_host = address  # what create_connection dials; TLS keeps `host`
                try:
                    return super()._new_conn()  # type: ignore[no-any-return]
                except NewConnectionError as error:
                    failed = error
                finally:
                    self._dns_host = host
            assert failed is not None
            raise failed

    return Checked


def _pool_manager_for(policy: RemotePolicy) -> type[urllib3.PoolManager]:
    http_connection = _checked_connection(HTTPConnection, policy)
    https_connection = _checked_connection(HTTPSConnection, policy)

    class CheckedHTTPPool(HTTPConnectionPool):
        ConnectionCls = http_connection

    class CheckedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = https_connection

    class PoolManager(urllib3.PoolManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(retries=_NO_RETRIES, **kwargs)
            self.pool_classes_by_scheme = {"http": CheckedHTTPPool, "https": CheckedHTTPSPool}

    return PoolManager


class _ProxyManager(urllib3.ProxyManager):
    def __init__(self, proxy_url: str, **kwargs: Any) -> None:
        super().__init__(proxy_url, retries=_NO_RETRIES, **kwargs)


class _DeadlineHttpClient(Urllib3HttpGitClient):
    """dulwich's urllib3 client, with every socket operation bounded by one deadline and
    every connection held to the remote policy."""

    def __init__(
        self, endpoint: Endpoint, deadline: float, socket_timeout: float, policy: RemotePolicy
    ) -> None:
        self._deadline = deadline
        self._policy = policy
        self._responses: list[HTTPResponse] = []
        pool = default_urllib3_manager(
            None,
            pool_manager_cls=_pool_manager_for(policy),
            proxy_manager_cls=_ProxyManager,
            base_url=endpoint.location,
            timeout=socket_timeout,
        )
        # Through a proxy our connections go to the proxy: the target is checked per request.
        self._via_proxy = isinstance(pool, urllib3.ProxyManager)
        super().__init__(
            endpoint.location,
            pool_manager=pool,
            username=endpoint.username,
            password=endpoint.password,
            timeout=socket_timeout,
        )

    def _remaining(self) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded
        return left

    def _http_request(
        self,
        url: str,
        headers: dict[str, str] | None = None,
        data: bytes | Iterator[bytes] | None = None,
        raise_for_status: bool = True,
    ) -> tuple[HTTPResponse, Callable[[int], bytes]]:
        # Connect and each socket read/write may take at most the time left overall.
        self._timeout = self._remaining()
        if self._via_proxy:
            self._policy.addresses(urlsplit(url).hostname or "")
        resp, read = super()._http_request(url, headers, data, raise_for_status)
        self._responses.append(resp)

        def bounded_read(n: int) -> bytes:
            self._remaining()
            return read(n)

        return resp, bounded_read

    def abort(self) -> None:
        """Interrupt reads blocked in the worker thread (called from the event loop)."""
        for resp in list(self._responses):
            try:
                resp.shutdown()  # type: ignore[attr-defined]  # urllib3 >= 2.3 responses
            except Exception:  # already closed or released: nothing left to interrupt
                pass

    def close(self) -> None:
        self.pool_manager.clear()


def open_client(
    endpoint: Endpoint, deadline: float, socket_timeout: float, policy: RemotePolicy
) -> GitClient:
    """A client for `endpoint` within `policy`; no I/O happens here. Pass
    `remote_path(endpoint)` to it."""
    policy.check_form(endpoint)
    if endpoint.kind == "local":
        return LocalGitClient()
    return _DeadlineHttpClient(endpoint, deadline, socket_timeout, policy)


def remote_path(endpoint: Endpoint) -> bytes:
    # The HTTP client's base URL is already the repository URL, so its path is empty.
    return os.fsencode(endpoint.location) if endpoint.kind == "local" else b""


def abort(client: GitClient) -> None:
    if isinstance(client, _DeadlineHttpClient):
        client.abort()


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)  # urllib3's MaxRetryError wraps this way
        if isinstance(reason, BaseException) and id(reason) not in seen:
            yield reason
            seen.add(id(reason))
        current = current.__cause__ or current.__context__


def to_git_error(exc: BaseException, op: Op, endpoint: Endpoint) -> GitError:
    """Name what went wrong in our words, which say only that the remote is unreachable,
    refused the credentials or rejected the push (see `errors.py`): what answered stays in
    the server log."""
    if isinstance(exc, GitError):
        return exc
    where = endpoint.location
    for link in _chain(exc):
        # Before the timeout check: urllib3's NewConnectionError subclasses its
        # ConnectTimeoutError for historical reasons, but a refused connection is not slow.
        if isinstance(link, NewConnectionError | ConnectionError | socket.gaierror):
            break
        if isinstance(link, DeadlineExceeded | TimeoutError | Urllib3TimeoutError):
            code = PUSH_TIMED_OUT if op == "push" else FETCH_TIMED_OUT
            return GitError(f"{where} is unreachable: no answer in time", code=code)
        if isinstance(link, HTTPUnauthorized):
            return _refused_credentials(where)
        if isinstance(link, GitProtocolError):
            status = re.search(r"unexpected http resp (\d{3})", str(link))
            if status and status.group(1) in ("401", "403"):
                return _refused_credentials(where)
    return GitError(f"{where} is unreachable", code=REMOTE_UNREACHABLE)


def _refused_credentials(where: str) -> GitError:
    return GitError(
        f"{where} refused the credentials: the token is missing, wrong or lacks permission",
        code=AUTH_REFUSED,
    )
