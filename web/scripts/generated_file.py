"""Writes a generated TypeScript file, or checks that the committed one is current.

Every generator under web/scripts ends here, so `npm run gen` and `npm run gen:check` (and
the freshness tests that call `--check`) behave the same for each generated file.
"""

from __future__ import annotations

import sys
from pathlib import Path

GENERATED = Path(__file__).resolve().parent.parent / "src" / "generated"


def write_or_check(out: Path, text: str, argv: list[str]) -> int:
    """With `--check` in `argv`: 1 (and a message) when `out` differs from `text`.
    Otherwise writes `out` when it differs. Returns the exit status."""
    current = out.read_text() if out.exists() else ""
    if "--check" in argv:
        if current != text:
            print(f"{out} is stale: run `npm run gen` in web/", file=sys.stderr)
            return 1
        return 0
    if current != text:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"wrote {out}")
    return 0
