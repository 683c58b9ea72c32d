"""A zip archive as an app's files (`POST /api/apps/import`).

An archive comes from anyone, so every entry is checked before anything is made, and any
entry that breaks a rule refuses the whole import (a 4xx naming it; nothing is created):

- its name: no absolute path, no `..` (zip-slip), then the store's own path rules;
- its kind: no symbolic link (the Unix mode in `external_attr`), no encrypted entry;
- sizes: an entry over the per-file limit, more entries than an app may hold, more bytes in
  all than an app may hold. Declared sizes are checked first (cheap), and since an archive
  can lie about them, the bytes are counted again while inflating, each entry read only up
  to its limit and the whole archive up to the app's: a zip bomb stops at the cap.

`.git/`, `__MACOSX/` and similar are left out (see `importing.py`) and reported; a single
top-level folder (an archive of a folder) is stripped.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass

from appwright.errors import InvalidInput
from appwright.files.content import FileContent
from appwright.files.importing import Skipped, common_folder, skip_reason
from appwright.files.validation import validate_content, validate_path

_CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class ArchiveLimits:
    max_file_bytes: int
    max_app_bytes: int
    max_app_files: int
    max_path_length: int

    @property
    def max_entries(self) -> int:
        # Folders and left-out metadata are entries too; twice the files is generous.
        return 2 * self.max_app_files


@dataclass(frozen=True)
class Archive:
    files: dict[str, FileContent]
    skipped: Skipped


def _refuse(name: str, message: str, code: str) -> InvalidInput:
    return InvalidInput(
        f"The archive's entry {name!r} was refused: {message} Nothing was created.",
        code=code,
        entry=name,
    )


def read_zip(data: bytes, limits: ArchiveLimits) -> Archive:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InvalidInput(
            "The body is not a zip archive (or a damaged one). Nothing was created.",
            code="not_a_zip",
        ) from None
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise InvalidInput(
                f"The archive has {len(entries)} entries; at most {limits.max_entries} are "
                f"accepted (apps are limited to {limits.max_app_files} files). "
                "Nothing was created.",
                code="archive_too_many_entries",
                limit=limits.max_entries,
            )
        kept = _check_entries(entries, limits)
        skipped: Skipped = [(e.filename, why) for e, why in kept if why is not None]
        wanted = [e for e, why in kept if why is None]
        if len(wanted) > limits.max_app_files:
            raise InvalidInput(
                f"The archive has {len(wanted)} files; apps are limited to "
                f"{limits.max_app_files} files. Nothing was created.",
                code="too_many_files",
                limit=limits.max_app_files,
            )
        prefix = common_folder([_clean(e.filename) for e in wanted])
        files: dict[str, FileContent] = {}
        total = 0
        for entry in wanted:
            raw = _inflate(archive, entry, limits, limits.max_app_bytes - total)
            total += len(raw)
            path = _path(entry.filename, _clean(entry.filename)[len(prefix) :], limits)
            if path in files:
                raise _refuse(entry.filename, "another entry has the same path.", "path_duplicate")
            try:
                files[path] = validate_content(path, raw, max_bytes=limits.max_file_bytes)
            except InvalidInput as error:
                raise _refuse(entry.filename, error.message, error.code) from None
        return Archive(dict(sorted(files.items())), skipped)


def _clean(name: str) -> str:
    return "/".join(s for s in name.split("/") if s not in ("", "."))


def _check_entries(
    entries: list[zipfile.ZipInfo], limits: ArchiveLimits
) -> list[tuple[zipfile.ZipInfo, str | None]]:
    """Every entry checked by what the archive declares, before any is inflated; each file
    with None (kept) or why it is left out. Folders are dropped."""
    out: list[tuple[zipfile.ZipInfo, str | None]] = []
    declared = 0
    for entry in entries:
        name = entry.filename
        if "\\" in name or name.startswith("/") or _DRIVE.match(name):
            raise _refuse(name, "its path is absolute.", "archive_absolute_path")
        if ".." in name.split("/"):
            raise _refuse(name, "its path leaves the archive's folder ('..').", "path_traversal")
        mode = entry.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise _refuse(
                name, "it is a symbolic link; only files are imported.", "archive_symlink"
            )
        if entry.is_dir():
            continue
        why = skip_reason(_clean(name))
        if why is not None:
            out.append((entry, why))
            continue
        if entry.flag_bits & 0x1:
            raise _refuse(name, "it is encrypted.", "archive_encrypted")
        if entry.file_size > limits.max_file_bytes:
            raise _refuse(
                name,
                f"it is {entry.file_size} bytes; files are limited to {limits.max_file_bytes}.",
                "file_too_large",
            )
        declared += entry.file_size
        if declared > limits.max_app_bytes:
            raise InvalidInput(
                f"The archive's files add up to more than {limits.max_app_bytes} bytes, the "
                "limit of an app. Nothing was created.",
                code="app_too_large",
                limit=limits.max_app_bytes,
            )
        out.append((entry, None))
    return out


def _inflate(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limits: ArchiveLimits, room: int
) -> bytes:
    """The entry's bytes, counted while inflating: never more than the per-file limit or
    the room left in the app, whatever the archive declared."""
    cap = min(limits.max_file_bytes, room)
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > cap:
                    if cap == room and room < limits.max_file_bytes:
                        raise InvalidInput(
                            f"The archive's files add up to more than {limits.max_app_bytes} "
                            f"bytes, the limit of an app (at {entry.filename!r}). "
                            "Nothing was created.",
                            code="app_too_large",
                            limit=limits.max_app_bytes,
                        )
                    raise _refuse(
                        entry.filename,
                        f"it inflates to more than {limits.max_file_bytes} bytes, the limit "
                        "of a file (it declared fewer).",
                        "file_too_large",
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise _refuse(entry.filename, f"it is damaged ({error}).", "archive_corrupt") from None
    except NotImplementedError:
        raise _refuse(
            entry.filename,
            "it uses a compression method that is not supported.",
            "archive_unsupported",
        ) from None
    return b"".join(chunks)


def _path(name: str, path: str, limits: ArchiveLimits) -> str:
    try:
        return validate_path(path, max_length=limits.max_path_length)
    except InvalidInput as error:
        raise _refuse(name, error.message, error.code) from None
