"""The `appwright` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import socket
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from appwright.config import Settings
from appwright.errors import AppwrightError
from appwright.files.content import FileContent, to_bytes
from appwright.files.importing import Skipped, skip_reason
from appwright.files.validation import decode_text
from appwright.ops import structured_logs as logs
from appwright.ops.secret_files import write_secret

if TYPE_CHECKING:
    from appwright.runtime import Runtime

LOCAL_VENDOR_FILE = "local-vendor.token"


async def _with_runtime(settings: Settings, work):  # type: ignore[no-untyped-def]
    # Imported here: the service's modules (the model SDKs above all) take seconds to
    # import, and `chat` and `sim` need none of them.
    from appwright.runtime import Runtime

    runtime = Runtime(settings)
    await runtime.start()
    try:
        return await work(runtime)
    finally:
        await runtime.stop()


async def _local_vendor_token(runtime: Runtime) -> str:
    """The token of the vendor that a person opening the printed URL works as. It derives
    from the secret key, so every process of a deployment prints the same link; the file
    is a copy for `appwright chat`, and one written by an older version is still honoured."""
    from sqlalchemy.exc import IntegrityError

    from appwright.ops.shared_secrets import local_vendor_token
    from appwright.store import vendors as vendor_store

    path = runtime.settings.data_dir / LOCAL_VENDOR_FILE
    if path.exists():
        token = path.read_text().strip()
        if await runtime.workspace.vendor_for_token(token):
            return token
    token = local_vendor_token(runtime.secret_key)
    if await runtime.workspace.vendor_for_token(token) is None:
        try:
            await runtime.db.run(lambda conn: vendor_store.create_vendor(conn, "local", token))
        except IntegrityError:  # another process made it at the same moment
            pass
    write_secret(path, token)
    return token


async def _serve(settings: Settings, host: str, port: int) -> None:
    from appwright.api.app import create_app
    from appwright.runtime import Runtime

    preview_port = _preview_port(settings, host, port)
    settings = settings.model_copy(update={"preview_port": preview_port})
    runtime = Runtime(settings)
    await runtime.start()
    try:
        token = await _local_vendor_token(runtime)
        base = (
            settings.public_url
            or f"http://{'localhost' if host in ('0.0.0.0', '127.0.0.1') else host}:{port}"
        )
        admin_note = (
            f"admin token created in {settings.data_dir / 'admin.token'}"
            if runtime.admin_token_created
            else "admin token: from APPWRIGHT_ADMIN_TOKEN or the data dir"
        )
        url = _workspace_url(base, token, settings)
        app = create_app(runtime=runtime)

        def config(at: int, **extra: Any) -> uvicorn.Config:
            return uvicorn.Config(
                app,
                host=host,
                port=at,
                log_config=None,
                ws_ping_interval=20,
                ws_ping_timeout=20,
                timeout_graceful_shutdown=5,
                **extra,
            )

        _tune_garbage_collection()
        previews = f"; previews on port {preview_port}" if preview_port else ""
        banner = (
            f"\n  appwright is running. Open your workspace:\n\n    {url}\n\n"
            f"  ({admin_note}; API docs at {base}/docs{previews})\n"
        )
        server = _BannerServer(config(port), banner)
        if preview_port is None:
            await server.serve()
            return
        # The preview's own origin when nothing else gives it one: a second port answered
        # by the same app, which tells the two apart by the port a request arrived on.
        second = _SecondServer(config(preview_port, lifespan="off"))
        serving = asyncio.create_task(second.serve())
        try:
            await server.serve()
        finally:
            second.should_exit = True
            await serving
    finally:
        await runtime.stop()


def _preview_port(settings: Settings, host: str, port: int) -> int | None:
    """The second port the preview needs, or None: a URL template gives each app an origin
    of its own, and so does the local name when the workspace can only be reached at a
    loopback address (which it sends to that name)."""
    from appwright.api.preview_origin import is_loopback

    if settings.preview_url_template or (settings.local_name and is_loopback(host)):
        return None
    return settings.preview_port or port + 1


class _BannerServer(uvicorn.Server):
    """Prints the banner once the port answers, so the URL is the last thing printed at start
    and opening it works at once."""

    def __init__(self, config: uvicorn.Config, banner: str) -> None:
        super().__init__(config)
        self.banner = banner

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            print(self.banner, flush=True)


class _SecondServer(uvicorn.Server):
    """The preview's port: the workspace's server takes the signals, and stops this one."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _workspace_url(base: str, token: str, settings: Settings) -> str:
    """The URL that logs the local vendor in. Its token is printed only to a terminal:
    anywhere else (a service manager's journal, a CI log) the banner is a log line that
    others may read, so it says where the token is instead."""
    if sys.stdout.isatty():
        return f"{base}/?token={token}"
    where = settings.data_dir / LOCAL_VENDOR_FILE
    return f"{base}/?token=<the token in {where}>"


def _tune_garbage_collection() -> None:
    """Full collections walk every live object; with a thousand open sockets each took
    150-290 ms, stalling the event loop (bench/ws_scale.py). Objects made at start-up live
    for the whole process, so they are frozen out of collections, and full collections are
    made rarer; reference counting still frees almost everything at once."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 100)


def _read_folder(folder: Path, max_bytes: int) -> tuple[dict[str, FileContent], Skipped]:
    """The folder's files (text and binary), and what was left out with why."""
    files: dict[str, FileContent] = {}
    skipped: Skipped = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        why = skip_reason(relative)
        if why is None and path.is_symlink():
            why = "a symbolic link; only files are imported"
        if why is not None:
            if not any(relative.startswith(f"{s}/") for s, _ in skipped):
                skipped.append((relative, why))
        elif path.is_file():
            files[relative] = decode_text(relative, path.read_bytes(), max_bytes=max_bytes)
    return files, skipped


def _report_skipped(skipped: Skipped) -> None:
    for path, why in skipped:
        print(f"skipped {path}: {why}", file=sys.stderr)


async def _create_app(runtime: Runtime, args: argparse.Namespace) -> None:
    vendor = await runtime.workspace.vendor_for_token(args.token) if args.token else None
    if vendor is None:
        token = await _local_vendor_token(runtime)
        vendor = await runtime.workspace.vendor_for_token(token)
    assert vendor is not None
    files: dict[str, FileContent] = {}
    skipped: Skipped = []
    if args.from_git:
        from appwright.git.reach import RemotePolicy
        from appwright.git.remote import import_tip

        # The operator's own command: local paths are theirs to read; hosts follow the
        # same rule as every remote.
        policy = replace(RemotePolicy.from_settings(runtime.settings), allow_local=True)
        files = await import_tip(
            args.from_git,
            None,
            args.branch,
            runtime.settings.timeout_git,
            policy=policy,
            on_skip=lambda path, why: skipped.append((path, why)),
        )
    elif args.from_dir:
        files, skipped = _read_folder(Path(args.from_dir), runtime.settings.max_file_bytes)
    app = await runtime.workspace.create_app(vendor.id, args.name, files)
    _report_skipped(skipped)
    print(app.id)


async def _list_apps(runtime: Runtime, token: str) -> None:
    vendor = await runtime.workspace.vendor_for_token(token)
    if vendor is None:
        raise AppwrightError("No vendor has that token: check --token.", code="unauthorized")
    for app in await runtime.workspace.apps(vendor.id):
        print(f"{app.id}  {app.name}")


async def _export_app(runtime: Runtime, args: argparse.Namespace) -> None:
    app = await runtime.workspace.app(None, args.app)
    target = Path(args.dir)
    for path, content in (await runtime.workspace.all_contents(app.id)).items():
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(to_bytes(content))
    print(f"exported {app.id} to {target}")


async def _reset_secrets(settings: Settings) -> None:
    from appwright.store import fingerprints
    from appwright.store.database import Database
    from appwright.store.migrate import upgrade

    db = Database(settings.resolved_database_url, op_timeout=settings.timeout_file_op)
    try:
        await upgrade(db.engine)
        await db.run(fingerprints.forget)
    finally:
        await db.dispose()
    print("secrets forgotten: the next process to start records its own")


def _saved_local_token(settings: Settings) -> str:
    """The local vendor's token, as `serve` saved it in its data dir."""
    path = settings.data_dir / LOCAL_VENDOR_FILE
    try:
        return path.read_text().strip()
    except OSError:
        raise AppwrightError(
            f"There is no local vendor token at {path}: run this in the folder where "
            "`scripts/serve` runs (or set APPWRIGHT_DATA_DIR to its data dir), or pass --token.",
            code="no_local_token",
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="appwright", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    vendor = commands.add_parser("vendor", help="manage vendors").add_subparsers(
        dest="action", required=True
    )
    vendor_create = vendor.add_parser("create", help="create a vendor and print its token")
    vendor_create.add_argument("name")

    app = commands.add_parser("app", help="manage apps").add_subparsers(
        dest="action", required=True
    )
    app_create = app.add_parser("create", help="create an app")
    app_create.add_argument("name")
    source = app_create.add_mutually_exclusive_group()
    source.add_argument("--from", dest="from_dir", help="import the files of a folder")
    source.add_argument("--from-git", dest="from_git", help="import a git repository's tip")
    app_create.add_argument("--branch", default="main")
    app_create.add_argument("--token", help="the owning vendor's token (default: the local vendor)")
    chat = commands.add_parser("chat", help="ask the model to change an app, and watch it work")
    chat.add_argument("app")
    chat.add_argument("prompt")
    chat.add_argument("--session", help="continue this session (default: a new one)")
    chat.add_argument("--url", default="http://127.0.0.1:8000", help="the running appwright")
    chat.add_argument("--token", help="vendor token (default: the local vendor's)")

    sim = commands.add_parser("sim", help="run the scripted model server (tests, demos)")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--scripts", help="JSON file of {model: {turns: [...]}} to preload")
    sim.add_argument("--quiet", action="store_true", help="no request log")

    app_list = app.add_parser("list", help="the vendor's apps: id and name")
    app_list.add_argument("--token", help="the vendor's token (default: the local vendor)")

    secrets = commands.add_parser(
        "secrets", help="the secrets every process must share"
    ).add_subparsers(dest="action", required=True)
    secrets.add_parser(
        "reset",
        help="forget the recorded secrets: the next process to start records its own "
        "(links given before stop working, remote tokens must be set again)",
    )

    app_export = app.add_parser("export", help="write an app's files to a folder")
    app_export.add_argument("app")
    app_export.add_argument("dir")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings()
    logs.configure(settings.log_level, settings.log_json)
    try:
        if args.command == "serve":
            asyncio.run(_serve(settings, args.host, args.port))
        elif args.command == "vendor":

            async def create(runtime: Runtime) -> None:
                vendor, token = await runtime.workspace.create_vendor(args.name)
                print(f"vendor {vendor.id}\ntoken  {token}")

            asyncio.run(_with_runtime(settings, create))
        elif args.command == "app" and args.action == "create":
            asyncio.run(_with_runtime(settings, lambda rt: _create_app(rt, args)))
        elif args.command == "app" and args.action == "list":
            # A saved token first: in the wrong folder this says so instead of making a data dir.
            token = args.token or _saved_local_token(settings)
            asyncio.run(_with_runtime(settings, lambda rt: _list_apps(rt, token)))
        elif args.command == "app" and args.action == "export":
            asyncio.run(_with_runtime(settings, lambda rt: _export_app(rt, args)))
        elif args.command == "chat":
            from appwright.chat import chat

            token = args.token or _saved_local_token(settings)
            status = asyncio.run(chat(args.url, token, args.app, args.prompt, args.session))
            return 0 if status == "completed" else 1
        elif args.command == "secrets":
            asyncio.run(_reset_secrets(settings))
        elif args.command == "sim":
            from appwright.sim import run_sim

            run_sim(args.host, args.port, args.scripts, quiet=args.quiet)
    except AppwrightError as error:
        print(f"error [{error.code}]: {error.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
