"""The edit benchmark: intended edits to real files, written the way models get them wrong.

Every case starts from a real file (the workspace's own sources under web/src, its page,
the preview agent, and the bakery site the tests use), picks a block that is unique in it,
makes an intended change to that block (a word changed, a line added, a line removed), and
then writes old_code/new_code with one kind of imperfection models make:

    recoverable  exact, indentation (dropped, tabs, other width), trailing blanks, CRLF file,
                 typographic quotes (either way), copied line numbers, several at once
    refusable    a stale line (the file changed since it was read), a snippet that occurs
                 twice, a snippet that is not there at all

Each case runs through `apply_all`, the function `apply_edit` uses, and is judged: applied
correctly (the file is exactly the intended one), refused (with a useful message: it names
line numbers, and for a stale line says the file changed since it was read), or applied
wrongly (anything else). Goals: 0 applied wrongly; at least 97% of
the recoverable cases applied correctly; every refusal naming line numbers.

    .venv/bin/python bench/edits.py [--seed N] [--show KIND]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import print_table

from appwright.errors import ToolError
from appwright.files.edits import Edit, apply_all
from appwright.files.matching import LOOK_ALIKES
from appwright.files.numbered import numbered

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted((ROOT / "web/src").rglob("*.ts")),
    *sorted((ROOT / "web/src").rglob("*.tsx")),
    *sorted((ROOT / "web/src").rglob("*.css")),
    ROOT / "web/index.html",
    ROOT / "src/appwright/api/preview_agent.js",
    *sorted((ROOT / "tests/fixtures/bakery").iterdir()),
]
RECOVERABLE = [
    "exact",
    "indent dropped",
    "indent tabs",
    "indent width",
    "trailing blanks",
    "crlf file",
    "quotes typed curly",
    "quotes in file curly",
    "line numbers",
    "combined",
]
REFUSABLE = ["stale line", "occurs twice", "not there"]
LINE_NUMBER = re.compile(r"\blines? \d+")
CURLY = {"'": "\u2019", '"': "\u201d"}


@dataclass(frozen=True)
class Case:
    kind: str
    path: str
    content: str
    old: str
    new: str
    expected: str | None  # None: the edit must be refused
    changed: str | None = None


@dataclass(frozen=True)
class Block:
    start: int  # 0-based first line, end exclusive
    end: int
    old: str  # the block's text, lines joined with "\n" (no final line ending)
    new: str  # the intended text


# --- picking blocks and intended edits ---------------------------------------------------


def loose(text: str) -> str:
    return "\n".join(
        "".join(LOOK_ALIKES.get(c, c) for c in line).strip() for line in text.split("\n")
    )


def blocks(content: str, rng: random.Random, count: int, unit: str) -> Iterator[Block]:
    """Blocks unique in the file even ignoring whitespace and look-alikes, with an edit."""
    lines = content.split("\n")
    flat = loose(content)
    tried = 0
    made = 0
    while made < count and tried < count * 20:
        tried += 1
        size = rng.choice([1, 2, 2, 3, 3, 4, 5])
        start = rng.randrange(0, max(1, len(lines) - size))
        chunk = lines[start : start + size]
        if sum(1 for line in chunk if line.strip()) < max(1, size - 1):
            continue
        if not chunk[0].strip() or not chunk[-1].strip():
            continue
        old = "\n".join(chunk)
        if content.count(old) != 1 or flat.count(loose(old)) != 1:
            continue
        new = intended(chunk, rng, unit)
        if new is None or new == old:
            continue
        made += 1
        yield Block(start, start + size, old, new)


WORD = re.compile(r"[A-Za-z]{4,}")


def intended(chunk: list[str], rng: random.Random, unit: str) -> str | None:
    """The block after a change a vendor might ask for, in the file's own style (`unit`:
    the file's indentation step)."""
    lines = list(chunk)
    choice = rng.choice(["word", "word", "add", "add", "remove"])
    if choice == "remove" and len(lines) >= 3:
        del lines[rng.randrange(1, len(lines))]
    elif choice == "add":
        at = rng.randrange(0, len(lines))
        near = next((line for line in reversed(lines[: at + 1]) if line.strip()), lines[at])
        base = indent_of(near)
        deeper = base + ("\t" if base.startswith("\t") else unit)
        added = rng.choice([base, deeper]) + rng.choice(
            ["// added by the model", "<p>New line</p>", "margin: 0;", "return null;"]
        )
        lines.insert(at + 1, added)
    else:
        candidates = [(i, m) for i, line in enumerate(lines) for m in WORD.finditer(line)]
        if not candidates:
            return None
        i, m = rng.choice(candidates)
        lines[i] = lines[i][: m.start()] + m.group(0)[::-1].lower() + lines[i][m.end() :]
    return "\n".join(lines)


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# --- the imperfections -------------------------------------------------------------------


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def dedent(old: str, new: str) -> tuple[str, str]:
    """The indentation models drop: a single line copied from its first character (what
    follows in new_code keeps the file's indentation), or a block moved to column 0."""
    if "\n" not in old:
        return old.lstrip(), new[len(indent_of(new)) :]
    common = min((indent_of(line) for line in old.split("\n") if line.strip()), key=len)
    if not common:
        return old, new

    def strip(text: str) -> str:
        return "\n".join(
            line[len(common) :] if line.startswith(common) else line.lstrip()
            for line in text.split("\n")
        )

    return strip(old), strip(new)


def respace(text: str, unit_from: int, step: str) -> str:
    """`text` indented by `step` per level instead of the file's `unit_from` spaces."""
    out = []
    for line in text.split("\n"):
        indent = indent_of(line)
        cols = len(indent.replace("\t", " " * unit_from))
        out.append(step * (cols // unit_from) + " " * (cols % unit_from) + line[len(indent) :])
    return "\n".join(out)


def file_unit(lines: list[str]) -> int | None:
    widths = Counter()
    for a, b in zip(lines, lines[1:], strict=False):
        if a.strip() and b.strip() and "\t" not in indent_of(a) + indent_of(b):
            step = len(indent_of(b)) - len(indent_of(a))
            if step > 0:
                widths[step] += 1
    return widths.most_common(1)[0][0] if widths else None


def trailing(old: str, new: str, rng: random.Random) -> tuple[str, str]:
    """Blanks after some lines of old_code, and blank lines after both snippets."""
    lines = old.split("\n")
    for i in rng.sample(range(len(lines)), k=max(1, len(lines) // 2)):
        lines[i] += rng.choice([" ", "  ", "\t", "   "])
    after = rng.choice(["", "\n\n", "\n \n"])
    return "\n".join(lines) + after, new + after.replace(" ", "")


def curl(text: str) -> str:
    out = []
    for i, c in enumerate(text):
        if c in CURLY:
            opening = i == 0 or not text[i - 1].isalnum()
            out.append(("\u2018" if c == "'" else "\u201c") if opening else CURLY[c])
        else:
            out.append(c)
    return "".join(out)


def with_numbers(text: str, first: int) -> str:
    return numbered(text.split("\n"), first, len(str(first + 40)))


def cases_for(path: Path, rng: random.Random) -> Iterator[Case]:
    name = str(path.relative_to(ROOT))
    content = path.read_text()
    lines = content.rstrip("\n").split("\n")
    unit = file_unit(lines)
    for block in blocks(content, rng, 4, " " * (unit or 2)):
        old, new = block.old, block.new
        expected = content.replace(old, new)
        yield Case("exact", name, content, old, new, expected)
        if indent_of(old.split("\n")[0]):
            yield Case("indent dropped", name, content, *dedent(old, new), expected)
        if unit and "\t" not in old + new:
            tabs = (respace(old, unit, "\t"), respace(new, unit, "\t"))
            if tabs[0] != old:  # the slip shows in old_code (not only in lines it adds)
                yield Case("indent tabs", name, content, *tabs, expected)
            other = 4 if unit == 2 else 2
            widths = (respace(old, unit, " " * other), respace(new, unit, " " * other))
            if widths[0] != old:
                yield Case("indent width", name, content, *widths, expected)
        yield Case("trailing blanks", name, content, *trailing(old, new, rng), expected)
        yield Case(
            "crlf file", name, crlf(content), old, new, crlf(content).replace(crlf(old), crlf(new))
        )
        if any(c in old for c in CURLY):
            yield Case("quotes typed curly", name, content, curl(old), curl(new), expected)
            curly_file = content.replace(old, curl(old))
            curly_expected = content.replace(old, curl(new))
            yield Case("quotes in file curly", name, curly_file, old, new, curly_expected)
        numbered_old = with_numbers(old, block.start + 1)
        numbered_new = with_numbers(new, block.start + 1)
        yield Case("line numbers", name, content, numbered_old, numbered_new, expected)
        mixed_old, mixed_new = trailing(*dedent(curl(old), curl(new)), rng)
        yield Case("combined", name, content, mixed_old, mixed_new, expected)
        yield from refusable(name, content, lines, block, rng)
    yield from twice(name, content, lines, rng)


def refusable(
    name: str, content: str, lines: list[str], block: Block, rng: random.Random
) -> Iterator[Case]:
    # The file changed under the model: one line of the block is no longer what it read.
    block_lines = block.old.split("\n")
    i = max(range(len(block_lines)), key=lambda k: len(block_lines[k].strip()))
    line = block_lines[i]
    words = list(WORD.finditer(line))
    if words:
        m = rng.choice(words)
        changed_line = line[: m.start()] + m.group(0).upper() + "X" + line[m.end() :]
        changed = [*block_lines[:i], changed_line, *block_lines[i + 1 :]]
        current = content.replace(block.old, "\n".join(changed))
        yield Case(
            "stale line",
            name,
            current,
            block.old,
            block.new,
            None,
            changed="another edit changed it",
        )
    # Not there at all: what a model recalls from another file, or invents.
    invented = rng.choice(
        [
            "const total = items.reduce((sum, item) => sum + item.price, 0);",
            '<div class="pricing-table">\n  <h3>Premium</h3>\n</div>',
            ".footer-links li {\n  display: inline;\n}",
            "export function formatPrice(cents: number): string {\n  return `€${cents / 100}`;\n}",
        ]
    )
    yield Case("not there", name, content, invented, "x", None)


def twice(name: str, content: str, lines: list[str], rng: random.Random) -> Iterator[Case]:
    counts = Counter(line for line in lines if len(line.strip()) > 2)
    repeated = [line for line, n in counts.items() if n >= 2]
    for line in rng.sample(repeated, k=min(3, len(repeated))):
        yield Case("occurs twice", name, content, line, line + " ", None)


# --- running and judging -----------------------------------------------------------------


def judge(case: Case) -> tuple[str, str]:
    try:
        after, _ = apply_all(
            case.path, case.content, [Edit(case.old, case.new)], changed=case.changed
        )
    except ToolError as refusal:
        useful = bool(LINE_NUMBER.search(refusal.message))
        if case.changed:  # a stale line: the refusal must also say the file changed
            useful = useful and "has changed since you last read it" in refusal.message
        return ("refused, useful" if useful else "refused, not useful"), refusal.message
    if case.expected is not None and after == case.expected:
        return "applied correctly", ""
    return "applied wrongly", after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--show", metavar="KIND", help="print the cases of KIND not applied correctly"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [case for path in SOURCES for case in cases_for(path, rng)]
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    started = time.perf_counter()
    slowest = 0.0
    for case in cases:
        t = time.perf_counter()
        verdict, detail = judge(case)
        slowest = max(slowest, time.perf_counter() - t)
        outcomes[case.kind][verdict] += 1
        if args.show and case.kind == args.show and verdict != "applied correctly":
            print(f"--- {case.path} [{verdict}]\nold_code:\n{case.old}\nnew_code:\n{case.new}")
            print(f"result:\n{detail}\n")
    elapsed = time.perf_counter() - started

    print(f"\n{len(cases)} cases from {len(SOURCES)} files, seed {args.seed}\n")
    header = f"  {'kind':<22} {'cases':>5}  {'applied correctly':>17}  {'refused, useful':>15}  {'refused, not useful':>19}  {'applied wrongly':>15}"
    print(header)
    print("  " + "-" * (len(header) - 2))
    for kind in RECOVERABLE + REFUSABLE:
        c = outcomes[kind]
        total = sum(c.values())
        print(
            f"  {kind:<22} {total:>5}  {c['applied correctly']:>17}  {c['refused, useful']:>15}"
            f"  {c['refused, not useful']:>19}  {c['applied wrongly']:>15}"
        )
    everything: Counter[str] = sum(outcomes.values(), Counter())
    recoverable: Counter[str] = sum((outcomes[k] for k in RECOVERABLE), Counter())
    refusals = everything["refused, useful"] + everything["refused, not useful"]
    rate = recoverable["applied correctly"] / max(1, sum(recoverable.values()))
    print_table(
        "edit benchmark",
        [
            ("cases", str(len(cases)), ">= 300", len(cases) >= 300),
            (
                "applied wrongly",
                str(everything["applied wrongly"]),
                "0",
                everything["applied wrongly"] == 0,
            ),
            ("recoverable applied correctly", f"{rate:.1%}", ">= 97%", rate >= 0.97),
            (
                "refusals naming line numbers",
                f"{everything['refused, useful']}/{refusals}",
                "all",
                everything["refused, not useful"] == 0,
            ),
            ("time per case, mean", f"{elapsed / max(1, len(cases)) * 1000:.2f} ms", "", None),
            ("time per case, max", f"{slowest * 1000:.1f} ms", "", None),
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
