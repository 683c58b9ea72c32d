"""Telling a preview's request from the workspace's, and where a preview link points, from
the `Host` header a browser sends; settings that could not work are refused at start."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from appwright.api.preview_origin import PreviewSites, split_host
from appwright.config import Settings


def test_host_headers_are_read_as_browsers_send_them() -> None:
    assert split_host("App-1.Preview.Localhost:8000") == ("app-1.preview.localhost", 8000)
    assert split_host("[::1]:8000") == ("::1", 8000)
    assert split_host("[::1]") == ("::1", None)
    assert split_host("example.com") == ("example.com", None)
    assert split_host("example.com:notaport") == ("example.com:notaport", None)
    sites = PreviewSites(None, None, None, "appwright.localhost")
    # The second port, beside whatever address the workspace was reached at.
    for scheme, host, root in [
        ("http", "[2001:db8::1]:8000", "http://[2001:db8::1]:8001/preview/app_1f/"),
        ("https", "shop.example.org", "https://shop.example.org:444/preview/app_1f/"),
        ("http", "localhost:8000", "http://localhost:8001/preview/app_1f/"),
    ]:
        assert sites.location("app_1f", scheme, host).root == root
    assert PreviewSites(None, 9000, None).location("app_1f", "http", "10.0.0.2:80").root == (
        "http://10.0.0.2:9000/preview/app_1f/"
    )
    for host in (b"app-1f.appwright.localhost:9", b"APP-1F.dev.localhost"):
        target = sites.target({"type": "http", "headers": [(b"host", host)], "server": None})
        assert target is not None and target.app_id == "app_1f", host
    for host in (
        b"evil.example",
        b"appwright.localhost",
        b"app_1f.appwright.localhost",
        b"x.app-1f.appwright.localhost",
        b"app-1f.localhost",
        b"",
    ):
        assert sites.target({"type": "http", "headers": [(b"host", host)]}) is None, host


@pytest.mark.parametrize(
    "template",
    [
        "https://preview.example.com",  # no {app}
        "https://preview.example.com/{app}",  # one origin for every app
        "ftp://{app}.example.com",
        "https://{app}.{app}.example.com",
    ],
)
def test_a_template_that_cannot_work_is_refused_at_start(template) -> None:
    with pytest.raises(ValidationError, match="APPWRIGHT_PREVIEW_URL_TEMPLATE"):
        Settings(_env_file=None, preview_url_template=template, public_url="https://a.example")


def test_a_template_needs_the_workspaces_url() -> None:
    with pytest.raises(ValidationError, match="APPWRIGHT_PUBLIC_URL"):
        Settings(_env_file=None, preview_url_template="https://{app}.preview.example.com")


@pytest.mark.parametrize(
    "name", ["localhost", "example.com", "Appwright.localhost", "a b.localhost"]
)
def test_a_local_name_must_be_under_localhost(name) -> None:
    with pytest.raises(ValidationError, match="APPWRIGHT_LOCAL_NAME"):
        Settings(_env_file=None, local_name=name)
