"""Differential testing of witlink's WIT parser against wasm-tools, on wit-smith packages.

For a seed number: `wasm-tools wit-smith` turns seed bytes into a WIT package
(a component binary), `wasm-tools component wit` prints it as WIT text, and
`wasm-tools component wit --json --all-features` parses that text into the
reference JSON, which `linker.wit.to_json(linker.wit.load(..., all_features=True))` must
equal byte for byte. Seeds wit-smith rejects are skipped and counted.

Script: `python tests/witdiff.py N [--seed S] [--optional] [--printer]` checks seeds
S..S+N-1 (S random by default) and saves each disagreement under build/wit-diff/.
With `--printer` it checks `print_resolve` instead: the text printed from the
reference JSON must parse (with wasm-tools) back to that JSON.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))  # this checkout's `linker`, not an installed one

from linker.tools import ToolError, run_wasm_tools  # noqa: E402

OPTIONAL_CONSTRUCTS = (
    "--async",
    "--futures",
    "--streams",
    "--error-context",
    "--fixed-length-lists",
    "--world-include",
)
"""wit-smith flags for the constructs it leaves out by default."""

SEED_SIZE = 4096
REJECTED_SEED = "raw data is not of the correct format"
OUT_DIR = ROOT / "build" / "wit-diff"


def seed_bytes(seed: int) -> bytes:
    """The wit-smith input for seed number `seed`: the same bytes on every machine."""
    return hashlib.shake_256(f"witlink wit-smith seed {seed}".encode()).digest(SEED_SIZE)


@dataclass(frozen=True)
class Case:
    """A generated package: its WIT text and wasm-tools' reading of that text, which is
    JSON, or (rarely: wasm-tools cannot always re-read what it prints) an error."""

    seed: int
    optional: bool
    text: str
    reference: str | None
    reference_error: str = ""


def generate(seed: int, *, optional: bool) -> Case | None:
    """The package wit-smith makes from `seed`, or None if wit-smith rejects the seed."""
    flags = OPTIONAL_CONSTRUCTS if optional else ()
    try:
        wasm = run_wasm_tools("wit-smith", *flags, input=seed_bytes(seed))
    except ToolError as error:
        if REJECTED_SEED in str(error):
            return None
        raise
    text = run_wasm_tools("component", "wit", input=wasm).decode()
    try:
        return Case(seed, optional, text, reference_json(text))
    except ToolError as error:
        return Case(seed, optional, text, None, str(error))


def reference_json(text: str) -> str:
    """wasm-tools' JSON for the WIT document `text`, every feature on."""
    return run_wasm_tools(
        "component", "wit", "--json", "--all-features", input=text.encode()
    ).decode()


def main_package_name(text: str) -> str:
    """The name of the main package of a printed WIT document (its first `package`),
    without `%` escapes."""
    for line in text.splitlines():
        if line.startswith("package "):
            return line.removeprefix("package ").rstrip(";{ ").replace("%", "")
    raise ValueError("no package declaration in the WIT text")


def parse_with_linker(text: str) -> str:
    """witlink's JSON for the WIT document `text` (read from a file), every feature on."""
    from linker.wit import load, to_json

    with tempfile.TemporaryDirectory(prefix="witdiff-") as tmp:
        path = Path(tmp) / "package.wit"
        path.write_text(text)
        return str(to_json(load(path, all_features=True)))


def print_with_linker(case: Case) -> str:
    """wasm-tools' JSON for the text `print_resolve` makes from the case's reference JSON."""
    from linker.wit import from_json, print_resolve

    assert case.reference is not None
    resolve = from_json(case.reference)
    main = resolve.package_by_name(main_package_name(case.text))
    return reference_json(print_resolve(resolve, main))


@dataclass(frozen=True)
class Outcome:
    """How one seed went: `agree`, `disagree` (with `actual` or `error`), `rejected` by
    wit-smith, or `skipped` (printer check on a text wasm-tools cannot read)."""

    seed: int
    status: str
    case: Case | None = None
    actual: str = ""
    error: str = ""


def check(seed: int, *, optional: bool, printer: bool = False) -> Outcome:
    """Compare witlink's parser (or, with `printer`, its printer) with wasm-tools on `seed`.

    Where wasm-tools rejects the text, the parser agrees by rejecting it with a
    `WitlinkError`; the printer has nothing to print then."""
    from linker.errors import WitlinkError

    case = generate(seed, optional=optional)
    if case is None:
        return Outcome(seed, "rejected")
    if case.reference is None and printer:
        return Outcome(seed, "skipped", case)
    try:
        actual = print_with_linker(case) if printer else parse_with_linker(case.text)
    except WitlinkError as error:
        status = "agree" if case.reference is None else "disagree"
        return Outcome(seed, status, case, error=f"{type(error).__name__}: {error}")
    except Exception as error:  # a crash on any input is a disagreement to report
        return Outcome(seed, "disagree", case, error=f"{type(error).__name__}: {error}")
    status = "agree" if actual == case.reference else "disagree"
    return Outcome(seed, status, case, actual)


def save(outcome: Outcome, out_dir: Path = OUT_DIR) -> Path:
    """Write a disagreement's seed, WIT, expected JSON and witlink's answer to `out_dir/seed-N/`."""
    assert outcome.case is not None
    folder = out_dir / f"seed-{outcome.seed}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seed.bin").write_bytes(seed_bytes(outcome.seed))
    (folder / "package.wit").write_text(outcome.case.text)
    if outcome.case.reference is None:
        (folder / "expected-error.txt").write_text(outcome.case.reference_error)
    else:
        (folder / "expected.json").write_text(outcome.case.reference)
    if outcome.error:
        (folder / "error.txt").write_text(outcome.error)
    else:
        (folder / "actual.json").write_text(outcome.actual)
    return folder


def first_difference(outcome: Outcome, context: int = 3) -> str:
    """witlink's error, or the start of a diff between the reference JSON and witlink's."""
    assert outcome.case is not None
    if outcome.error:
        return f"witlink failed: {outcome.error}"
    if outcome.case.reference is None:
        return f"witlink accepts what wasm-tools rejects: {outcome.case.reference_error}"
    diff = difflib.unified_diff(
        outcome.case.reference.splitlines(),
        outcome.actual.splitlines(),
        "wasm-tools",
        "witlink",
        n=context,
        lineterm="",
    )
    return "\n".join(list(diff)[:20])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="how many seeds to check")
    parser.add_argument("--seed", type=int, help="first seed number (default: random)")
    parser.add_argument(
        "--optional", action="store_true", help="also generate async, futures, streams, ..."
    )
    parser.add_argument(
        "--printer",
        action="store_true",
        help="check the printer instead: print(reference JSON) must parse back to it",
    )
    parser.add_argument("--show", type=int, default=3, help="disagreements to print in full")
    args = parser.parse_args(argv)
    start = args.seed if args.seed is not None else random.randrange(2**32)
    counts = {"agree": 0, "disagree": 0, "rejected": 0, "skipped": 0}
    disagreements: list[Outcome] = []
    for seed in range(start, start + args.count):
        outcome = check(seed, optional=args.optional, printer=args.printer)
        counts[outcome.status] += 1
        if outcome.status == "disagree":
            disagreements.append(outcome)
            save(outcome)
    accepted = counts["agree"] + counts["disagree"]
    constructs = "on" if args.optional else "off"
    subject = "printer" if args.printer else "parser"
    print(f"{subject} vs wasm-tools, seeds {start}..{start + args.count - 1}", end=" ")
    print(f"(optional constructs {constructs})")
    print(f"wit-smith rejected {counts['rejected']} seeds, generated {accepted}", end="")
    print(f" (+{counts['skipped']} wasm-tools cannot re-read)" if counts["skipped"] else "")
    if accepted:
        share = 100 * counts["agree"] / accepted
        print(f"agreement: {counts['agree']}/{accepted} = {share:.2f}%")
    for outcome in disagreements[: args.show]:
        print(f"\n--- seed {outcome.seed} disagrees (saved in {OUT_DIR / f'seed-{outcome.seed}'})")
        print(first_difference(outcome))
    return 0 if not disagreements else 1


if __name__ == "__main__":
    sys.exit(main())
