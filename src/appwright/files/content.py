"""A file's content: text (`str`), which the editor and the model read and change, or bytes
(`bytes`) for everything else an app ships (images, fonts, icons), kept byte for byte.

Which one a file is follows from its bytes, never from its name: bytes that are UTF-8 and
hold no NUL are text (an SVG, a `.txt` with an odd name), anything else is binary. So the
same bytes always make the same kind of file, however they arrived (HTTP, zip, folder, git).
The content type served and shown follows from the name, as a static host would.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath

FileContent = str | bytes

# What `mimetypes` lacks or gets wrong on some systems (".js" as application/x-javascript).
_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".md": "text/markdown",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
}


def content_type(path: str, content: FileContent | None = None) -> str:
    """The media type of `path` (no charset): by its extension; an unknown one is plain text
    for a text file and `application/octet-stream` for a binary one."""
    suffix = PurePosixPath(path).suffix.lower()
    kind = _TYPES.get(suffix) or mimetypes.guess_type(path, strict=False)[0]
    if kind:
        return kind
    return "application/octet-stream" if isinstance(content, bytes) else "text/plain"


def from_bytes(raw: bytes) -> FileContent:
    """`raw` as a file's content: its text when it is UTF-8 without NUL, else the bytes."""
    if b"\x00" in raw:
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw


def to_bytes(content: FileContent) -> bytes:
    return content if isinstance(content, bytes) else content.encode("utf-8")


def size_of(content: FileContent | None) -> int:
    if content is None:
        return 0
    return len(content) if isinstance(content, bytes) else len(content.encode("utf-8"))


def describe_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
