"""What a git remote may reach. The policy's own rules with injected resolvers (no lookup
leaves this machine), then the transport against servers on 127.0.0.1 only: refused at
connect time even when the name looked public when the remote was set (DNS rebinding), and
push errors that say nothing of what answered."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from appwright.git import AppRepository, GitError, push
from appwright.git.reach import RemotePolicy, is_public
from appwright.git.transport import parse_remote

NOT_PUBLIC = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::",
    "224.0.0.1",
    "239.255.255.250",
    "ff02::1",
    "fe80::1",
    "fc00::1",
    "192.0.2.1",
    "198.51.100.7",
    "240.0.0.1",
    "255.255.255.255",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "2002:7f00:1::",  # 6to4 around 127.0.0.1
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo around 10.0.0.1
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "1.1.1.1"]


def resolving_to(*addresses: str) -> Any:
    def resolver(host: str) -> list[str]:
        return list(addresses)

    return resolver


def failing(host: str) -> list[str]:
    raise socket.gaierror("no such host")


def test_every_kind_of_internal_address_is_not_public() -> None:
    for text in NOT_PUBLIC:
        assert not is_public(ipaddress.ip_address(text)), text
    for text in PUBLIC:
        assert is_public(ipaddress.ip_address(text)), text


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_host_resolving_to_an_internal_address_is_refused(address: str) -> None:
    policy = RemotePolicy(resolver=resolving_to(address))
    with pytest.raises(GitError) as refused:
        policy.addresses("git.example.com")
    assert refused.value.code == "remote_not_public" and not refused.value.retryable


def test_one_internal_address_among_public_ones_is_enough_to_refuse() -> None:
    policy = RemotePolicy(resolver=resolving_to("93.184.216.34", "10.0.0.7"))
    with pytest.raises(GitError) as refused:
        policy.addresses("git.example.com")
    assert refused.value.code == "remote_not_public"
    public = RemotePolicy(resolver=resolving_to("93.184.216.34", "2606:4700:4700::1111"))
    assert public.addresses("git.example.com") == ["93.184.216.34", "2606:4700:4700::1111"]


def test_literal_addresses_are_checked_without_a_lookup() -> None:
    policy = RemotePolicy(resolver=failing)
    assert policy.addresses("93.184.216.34") == ["93.184.216.34"]
    for literal in ("127.0.0.1", "[::1]", "169.254.169.254"):
        with pytest.raises(GitError) as refused:
            policy.addresses(literal)
        assert refused.value.code == "remote_not_public"


def test_a_name_that_does_not_resolve_is_unreachable() -> None:
    with pytest.raises(GitError) as unknown:
        RemotePolicy(resolver=failing).addresses("nowhere.invalid")
    assert unknown.value.code == "remote_unreachable"


def test_allowed_hosts_and_local_remotes_widen_the_rule() -> None:
    lan = RemotePolicy(
        allowed_hosts=frozenset({"git.office.lan"}), resolver=resolving_to("10.0.0.5")
    )
    assert lan.addresses("GIT.office.lan.") == ["10.0.0.5"]
    with pytest.raises(GitError):
        lan.addresses("other.office.lan")
    local = RemotePolicy(allow_local=True, resolver=resolving_to("127.0.0.1", "::1"))
    assert local.addresses("localhost") == ["127.0.0.1", "::1"]
    with pytest.raises(GitError):  # loopback, yes; the rest of the network, no
        RemotePolicy(allow_local=True, resolver=resolving_to("192.168.0.2")).addresses("nas")


def test_the_url_form_rules() -> None:
    strict = RemotePolicy(resolver=failing)
    for url, code in [
        ("http://git.example.com/x.git", "insecure_remote"),
        ("/srv/git/x.git", "local_remote_not_allowed"),
        ("file:///srv/git/x.git", "local_remote_not_allowed"),
    ]:
        with pytest.raises(GitError) as refused:
            strict.check_form(parse_remote(url, None))
        assert refused.value.code == code, url
    strict.check_form(parse_remote("https://git.example.com/x.git", None))
    allowed = RemotePolicy(allowed_hosts=frozenset({"git.office.lan"}))
    allowed.check_form(parse_remote("http://git.office.lan/x.git", None))
    local = RemotePolicy(allow_local=True)
    local.check_form(parse_remote("http://127.0.0.1:8080/x.git", None))
    local.check_form(parse_remote("/srv/git/x.git", None))
    with pytest.raises(GitError):
        local.check_form(parse_remote("http://10.0.0.1/x.git", None))


def test_the_setting_is_read_as_a_list_of_hosts() -> None:
    from appwright.config import Settings

    settings = Settings(_env_file=None, git_allowed_hosts="git.office.lan, [fd00::1] Gitea.LAN.")
    policy = RemotePolicy.from_settings(settings)
    assert policy.allowed_hosts == frozenset({"git.office.lan", "fd00::1", "gitea.lan"})


# -- the transport, on this machine only -----------------------------------------------------


@pytest.fixture
async def committed(tmp_path: Path) -> AppRepository:
    repo = AppRepository(tmp_path / "app.git", timeout=5.0)
    await repo.ensure()
    await repo.commit({"index.html": "<h1>x</h1>"}, "v1", "Ada", "ada@example.com", "v1")
    return repo


@pytest.fixture
def answering() -> Iterator[dict[str, str]]:
    """Loopback listeners that answer what various non-git services would: each one's URL."""
    answers = {
        "http_500": b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 9\r\n\r\nDB secret",
        "http_404": b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope",
        "banner": b"SSH-2.0-OpenSSH_9.6 internal-db-host\r\n",
        "postgres": b"E\x00\x00\x00\x10SFATAL\x00\x00",
    }
    listeners, threads, urls = [], [], {}
    stop = threading.Event()
    for name, reply in answers.items():
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.05)

        def serve(listener: socket.socket = listener, reply: bytes = reply) -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                with conn:
                    conn.settimeout(1)
                    try:
                        conn.recv(65536)
                        conn.sendall(reply)
                    except OSError:
                        pass

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        listeners.append(listener)
        threads.append(thread)
        urls[name] = f"http://127.0.0.1:{listener.getsockname()[1]}/x.git"
    try:
        yield urls
    finally:
        stop.set()
        for thread in threads:
            thread.join(2)
        for listener in listeners:
            listener.close()


async def test_the_strict_policy_refuses_loopback_at_connect_time(
    committed: AppRepository, closed_port: int
) -> None:
    with pytest.raises(GitError) as refused:
        await push(committed, f"https://127.0.0.1:{closed_port}/x.git", timeout=5)
    assert refused.value.code == "remote_not_public"


async def test_a_name_that_rebinds_to_loopback_is_refused_when_connecting(
    committed: AppRepository, http_remote: Any, good_token: str
) -> None:
    """Public when the remote was set, loopback by the time of the push: the connection
    asks again, and goes nowhere. (The server it would reach is real and would accept.)"""
    answers = iter([["93.184.216.34"], ["127.0.0.1"], ["127.0.0.1"], ["127.0.0.1"]])
    policy = RemotePolicy(resolver=lambda host: next(answers), allowed_hosts=frozenset())
    url = http_remote.url().replace("127.0.0.1", "rebind.test").replace("http:", "https:")
    policy.addresses("rebind.test")  # the check when the remote was set: public
    with pytest.raises(GitError) as refused:
        await push(committed, url, good_token, timeout=5, policy=policy)
    assert refused.value.code == "remote_not_public"


async def test_push_errors_do_not_tell_what_answered(
    committed: AppRepository, closed_port: int, answering: dict[str, str], good_token: str
) -> None:
    local = RemotePolicy(allow_local=True)
    seen = {}
    urls = {**answering, "closed": f"http://127.0.0.1:{closed_port}/x.git"}
    for name, url in urls.items():
        with pytest.raises(GitError) as failed:
            await push(committed, url, timeout=3, policy=local)
        where = parse_remote(url, None).location
        seen[name] = (failed.value.code, failed.value.message.replace(where, "<remote>"))
    # An open port and a closed one, whatever answered: the same code, the same words.
    assert set(seen.values()) == {("remote_unreachable", "<remote> is unreachable")}, seen


async def test_put_refuses_a_remote_that_reaches_inside(runtime: Any, new_vendor: Any) -> None:
    runtime.git_outbox.policy = RemotePolicy(
        resolver=lambda host: {"internal.test": ["10.0.0.8"]}.get(host, ["93.184.216.34"])
    )
    vendor = await new_vendor()
    app_id = await vendor.create_app({"index.html": "x"})
    url = f"/api/apps/{app_id}/remote"
    for remote, code in [
        ("http://127.0.0.1:5432/x.git", "insecure_remote"),
        ("https://127.0.0.1:5432/x.git", "remote_not_public"),
        ("https://[::1]:6379/x.git", "remote_not_public"),
        ("https://169.254.169.254/latest/meta-data", "remote_not_public"),
        ("https://internal.test/x.git", "remote_not_public"),
        ("https://[/x.git", "invalid_remote"),
        ("https://host:99999/x.git", "invalid_remote"),
    ]:
        put = await vendor.put(url, json={"url": remote})
        assert put.status_code == 422, (remote, put.text)
        assert put.json()["error"]["code"] == code, (remote, put.text)
    assert (await vendor.get(url)).status_code == 404
    accepted = await vendor.put(url, json={"url": "https://git.example.com/x.git"})
    assert accepted.status_code == 200, accepted.text
    # Removed at once: another test's outbox on the shared database must find nothing to push.
    assert (await vendor.delete(url)).status_code == 204
