"""Which hosts a git remote may make this service connect to, checked when a remote is set
and again on every connection the transport opens.

A vendor names the remote, so a remote is a way to make the service connect somewhere: it
must not be a way into the network the service runs in. By default a remote is an
`https://` URL whose host resolves to public addresses only. Refused are loopback, private
(RFC 1918, unique local), link-local (cloud metadata lives at 169.254.169.254), multicast,
unspecified, shared (100.64/10), reserved and documentation addresses, including any of
them wrapped in an IPv6 form (IPv4-mapped, 6to4, Teredo, NAT64).

Checking the name once is not enough: it could resolve to a public address when the remote
is set and to an internal one when the worker pushes (DNS rebinding). So the transport asks
`addresses` on every connection and connects to the address it checked, never to a second
lookup of the name (`transport.py`). Through an operator's proxy the name is checked before
each request and the proxy connects.

Two settings widen the rule, for people who run their own git server:
- `APPWRIGHT_GIT_ALLOWED_HOSTS` (comma-separated host names or addresses) may be reached
  whatever they resolve to, over `http://` as well;
- `APPWRIGHT_ALLOW_LOCAL_REMOTES` (tests, single-user setups) allows local paths, `file://`
  URLs, and this machine's loopback addresses.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from appwright.git.errors import (
    INSECURE_REMOTE,
    LOCAL_REMOTE_NOT_ALLOWED,
    REMOTE_NOT_PUBLIC,
    REMOTE_UNREACHABLE,
    GitError,
)

Resolver = Callable[[str], list[str]]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCALHOST_NAMES = frozenset({"localhost", "localhost.localdomain"})


def system_resolver(host: str) -> list[str]:
    """Every address `host` resolves to, in the resolver's order, each once."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded(address: Address) -> Address | None:
    """The IPv4 address an IPv6 form carries, if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: Address) -> bool:
    inner = _embedded(address)
    if inner is not None and not is_public(inner):
        return False
    return address.is_global and not address.is_multicast


def is_loopback(address: Address) -> bool:
    inner = _embedded(address)
    return address.is_loopback or (inner is not None and inner.is_loopback)


def parse_hosts(value: Any) -> frozenset[str]:
    """The allow-list setting: a comma- or space-separated string, or an iterable."""
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value or ())
    return frozenset(_host_key(str(item)) for item in items if str(item).strip())


def _host_key(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


@dataclass(frozen=True)
class RemotePolicy:
    """What a remote may reach. The default is the strict one: public https only."""

    allow_local: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    resolver: Resolver = system_resolver

    @classmethod
    def from_settings(cls, settings: Any) -> RemotePolicy:
        return cls(
            allow_local=bool(getattr(settings, "allow_local_remotes", False)),
            allowed_hosts=parse_hosts(getattr(settings, "git_allowed_hosts", "")),
        )

    def is_allow_listed(self, host: str) -> bool:
        return _host_key(host) in self.allowed_hosts

    def is_local_host(self, host: str) -> bool:
        """This machine, named or as a loopback address literal (no lookup)."""
        key = _host_key(host)
        if key in _LOCALHOST_NAMES:
            return True
        try:
            return is_loopback(ipaddress.ip_address(key))
        except ValueError:
            return False

    def allows_plain_http(self, host: str) -> bool:
        return self.is_allow_listed(host) or (self.allow_local and self.is_local_host(host))

    def check_form(self, endpoint: Any) -> None:
        """Refuse a kind of remote this policy does not allow (a `transport.Endpoint`),
        before any lookup: a local path, or plain http to a host not allowed it."""
        if endpoint.kind == "local":
            if not self.allow_local:
                raise GitError(
                    "Remotes must be https:// URLs; local paths are not allowed here.",
                    code=LOCAL_REMOTE_NOT_ALLOWED,
                )
            return
        parts = urlsplit(endpoint.location)
        if parts.scheme == "http" and not self.allows_plain_http(parts.hostname or ""):
            raise GitError(
                "Remotes must be https:// URLs (http:// only for a host named in "
                "APPWRIGHT_GIT_ALLOWED_HOSTS).",
                code=INSECURE_REMOTE,
            )

    def addresses(self, host: str) -> list[str]:
        """The addresses `host` may be reached at: all it resolves to, each of which this
        policy allows. Raises GitError: `remote_not_public` when any is refused (one bad
        address is enough: which one a connection would use is not ours to choose), or
        `remote_unreachable` when the name does not resolve. Blocking: call it from a
        worker thread (the transport) or through `check_reach`."""
        key = _host_key(host)
        try:
            found = [key] if _is_literal(key) else self.resolver(key)
        except (OSError, UnicodeError):
            found = []
        if not found:
            raise GitError(f"the host {host!r} could not be resolved", code=REMOTE_UNREACHABLE)
        if self.is_allow_listed(key):
            return found
        for text in found:
            address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone
            if is_public(address) or (self.allow_local and is_loopback(address)):
                continue
            raise GitError(
                f"the host {host!r} resolves to an address that is not public (loopback, "
                "private, link-local, multicast or reserved); a self-hosted git server must "
                "be named in APPWRIGHT_GIT_ALLOWED_HOSTS",
                code=REMOTE_NOT_PUBLIC,
            )
        return found

    async def check_reach(self, endpoint: Any) -> None:
        """`check_form`, then, for an http remote, the addresses its host resolves to."""
        self.check_form(endpoint)
        if endpoint.kind == "http":
            await asyncio.to_thread(self.addresses, urlsplit(endpoint.location).hostname or "")


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True
