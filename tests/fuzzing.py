"""Seeded fuzzing of witlink's input boundaries: `python tests/fuzzing.py N` (`just fuzz N`).

Each case mutates one kind of input, seeded from the repository's own inputs (the
test components' WIT, manifests and binaries, the conformance corpus when present, a
plan linked from test components) and feeds it to the boundary that reads it:

- `wit`: WIT text -> `linker.wit.load`, then printing and wit-parser JSON;
- `json`: wit-parser JSON -> `wit.from_json`, then printing and signatures;
- `component`: component binaries -> `linker.component.decode`;
- `decode-cache`: a corrupt entry of the component decode cache -> `decode`;
- `manifest`: extension.toml -> `linker.manifest.load`;
- `plan`: plan.json -> `Plan.from_json`;
- `cli`: hostile arguments and paths (NUL, lone surrogates, FIFOs, symlink loops,
  long names, `nan`) -> `linker.cli.main`.

A case passes when the input is accepted, or rejected with a `WitlinkError` whose
message says what is wrong (the CLI: exit 1 or 2, something on stderr, no
traceback), within `LIMIT` seconds. Anything else is a leak (another exception) or a
hang. Case `T:I` is generated from the seed `T:I` alone, so it can be replayed:
`python tests/fuzzing.py --case json:17`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import tomllib
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "test-components"))

import componentbuild  # noqa: E402

from linker import component as component_mod  # noqa: E402
from linker import manifest, wit  # noqa: E402
from linker.cli import main as cli_main  # noqa: E402
from linker.errors import WitlinkError  # noqa: E402
from linker.plan.model import Plan  # noqa: E402
from linker.wit.signature import signature  # noqa: E402

LIMIT = 5.0
"""CPU seconds one case may take before it counts as a hang."""
WALL_LIMIT = 30.0
"""Seconds one case may take in all (it may block rather than compute) on a busy machine."""

SMALL_COMPONENTS = (
    "wat-adder",
    "link-base",
    "link-left",
    "link-api-provider",
    "host-calc-provider",
)
"""Built test components used as seeds (WAT ones: small and quick to build)."""


class Hang(BaseException):
    """Raised by the alarm when a case runs past its limit."""


@dataclass(frozen=True)
class Outcome:
    """What one case did: `ok`, `rejected` (a clean error), `leak` or `hang`."""

    case: str
    kind: str
    detail: str
    seconds: float
    """Wall-clock time."""
    cpu: float = 0.0
    """CPU time of this process (not of the wasm-tools it runs)."""
    where: str = ""
    """For a leak, the innermost witlink source line it escaped from."""


# ---------------------------------------------------------------- the workspace


class Workspace:
    """Seed inputs and a scratch folder of hostile files, made once per run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.counter = 0

    def fresh(self, name: str) -> Path:
        """A new, empty scratch folder."""
        self.counter += 1
        path = self.root / f"case-{self.counter}"
        path.mkdir()
        return path / name if name else path

    @cached_property
    def components(self) -> list[Path]:
        return [componentbuild.component(name) for name in SMALL_COMPONENTS]

    @cached_property
    def wit_seeds(self) -> list[str]:
        files = sorted((ROOT / "test-components").glob("**/wit/**/*.wit"))
        files += sorted((ROOT / "wit").glob("*.wit"))
        files += sorted(_corpus().glob("*.wit"))
        return [p.read_text(encoding="utf-8") for p in files]

    @cached_property
    def json_seeds(self) -> list[str]:
        texts = [p.read_text(encoding="utf-8") for p in sorted(_corpus().glob("*.wit.json"))]
        if not texts:  # no corpus here: the repository's own WIT, as JSON
            texts = [wit.to_json(wit.load(ROOT / "wit"))]
        texts.extend(self.decoded.values())
        return texts

    @cached_property
    def manifest_seeds(self) -> list[str]:
        files = sorted((ROOT / "test-components").glob("*/extension.toml"))
        return [p.read_text(encoding="utf-8") for p in files]

    @cached_property
    def decoded(self) -> dict[Path, str]:
        """wasm-tools' JSON of each seed component."""
        return {path: _decoded_text(path) for path in self.components}

    @cached_property
    def plan_seed(self) -> str:
        from linker.plan import analyze
        from linker.plan.link import plan_of

        folders = [p.parent for p in self.components]
        return plan_of(analyze(folders)).to_json(None)

    @cached_property
    def hostile(self) -> dict[str, str]:
        """Paths that an input argument may name, by what they are."""
        base = self.root / "hostile"
        base.mkdir()
        (base / "not-utf8.wit").write_bytes(b"package a:b;\ninterface \xff\xfe {}\n")
        (base / "empty.wasm").write_bytes(b"")
        (base / "plan.json").write_text(self.plan_seed, encoding="utf-8")
        (base / "not-utf8.json").write_bytes(b'{"schema": "\xff"}')
        loop = base / "loop"
        loop.symlink_to(loop)
        os.mkfifo(base / "fifo.wit")
        os.mkfifo(base / "fifo.json")
        file = base / "a-file"
        file.write_text("x", encoding="utf-8")
        valid_wit = base / "ok.wit"
        valid_wit.write_text("package a:b;\ninterface i { f: func(); }\n", encoding="utf-8")
        return {
            "wit": str(valid_wit),
            "component": str(self.components[0]),
            "folder": str(self.components[0].parent),
            "plan": str(base / "plan.json"),
            "missing": str(base / "missing.wit"),
            "nul": str(base / "a\0b.wit"),
            "surrogate": str(base / "\ud800.wit"),
            "escaped": str(base / "\udcff.wit"),
            "not-utf8": str(base / "not-utf8.wit"),
            "not-utf8-plan": str(base / "not-utf8.json"),
            "empty": str(base / "empty.wasm"),
            "loop": str(loop),
            "loop-child": str(loop / "x.wit"),
            "fifo": str(base / "fifo.wit"),
            "fifo-plan": str(base / "fifo.json"),
            "long": str(base / ("n" * 300 + ".wit")),
            "under-file": str(file / "x.wit"),
            "file": str(file),
            "dir": str(base),
            "dev-zero": "/dev/zero",
            "dash": "-",
            "empty-string": "",
        }


def _corpus() -> Path:
    shared = os.environ.get("WITLINK_SHARED")
    for base in (shared, ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        if base is not None and (Path(base) / "conformance").is_dir():
            return Path(base) / "conformance" / "wit-parser-ui"
    return ROOT / "no-corpus"


def _decoded_text(path: Path) -> str:
    from linker.tools import run_wasm_tools

    return run_wasm_tools("component", "wit", "--json", str(path)).decode()


# ---------------------------------------------------------------- mutations

HUGE = "9" * 5000
"""More digits than Python converts by default (4300)."""

TOKENS = [
    "{", "}", "<", ">", "(", ")", ";", ":", ",", "@", "/", "%", "=", "->", "_", "#",
    "\0", "\r", "\u202e", "\ud800", "\ufeff", "é", "\x7f", "-", "--", "///", "/*", "*/",
    "0", "-1", "4294967296", "18446744073709551616", HUGE, "1e999", "NaN",
    "list<", "option<", "tuple<", "result<", "borrow<", "own<", "stream<", "future<",
    "func(", "record r {", "variant v {", "resource r {", "use ", "include ", "import ",
    "export ", "type t = ", "package a:b@", "interface ", "world ", "@since(version = ",
    "@unstable(feature = ", "@deprecated(version = ", "list<u8, ", "map<",
    '"', "\\", "[", "]", "null", "true", "{}", "[]",
]  # fmt: skip
"""Fragments spliced into text: WIT and JSON syntax, odd characters, huge numbers."""


def mutate_text(rng: random.Random, text: str) -> str:
    """One to four random edits of `text`."""
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        text = rng.choice(_TEXT_EDITS)(rng, text)
    return text


def _pos(rng: random.Random, text: str) -> int:
    return rng.randint(0, len(text))


def _insert_token(rng: random.Random, text: str) -> str:
    at = _pos(rng, text)
    return text[:at] + rng.choice(TOKENS) + text[at:]


def _delete_span(rng: random.Random, text: str) -> str:
    at = _pos(rng, text)
    return text[:at] + text[at + rng.randint(1, 40) :]


def _duplicate_span(rng: random.Random, text: str) -> str:
    at = _pos(rng, text)
    span = text[at : at + rng.randint(1, 200)]
    return text[:at] + span * rng.randint(2, 50) + text[at:]


def _replace_number(rng: random.Random, text: str) -> str:
    numbers = list(re.finditer(r"\d+", text))
    if not numbers:
        return _insert_token(rng, text)
    hit = rng.choice(numbers)
    new = rng.choice([HUGE, "4294967296", "0", "-1", "00", "1" * 30, "65536"])
    return text[: hit.start()] + new + text[hit.end() :]


def _swap_lines(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def _nest(rng: random.Random, text: str) -> str:
    depth = rng.choice([200, 1000, 5000])
    opener, closer = rng.choice([("list<", ">"), ("[", "]"), ("{", "}"), ("option<", ">")])
    at = _pos(rng, text)
    middle = opener * depth + rng.choice(["u8", "1", ""]) + closer * depth
    return text[:at] + middle + text[at:]


_TEXT_EDITS: list[Callable[[random.Random, str], str]] = [
    _insert_token,
    _insert_token,
    _delete_span,
    _duplicate_span,
    _replace_number,
    _swap_lines,
    _nest,
]


class _Huge:
    """A placeholder written as a 5000-digit number once the document is dumped."""

    text = HUGE


class _Deep:
    """A placeholder written as a list nested `depth` deep once the document is dumped."""

    def __init__(self, depth: int) -> None:
        self.text = "[" * depth + "0" + "]" * depth


def _dump(doc: Any) -> str:
    placeholders: list[str] = []

    def hold(value: _Huge | _Deep) -> str:
        placeholders.append(value.text)
        return f"@@{len(placeholders) - 1}@@"

    text = json.dumps(doc, indent=2, default=hold)
    return re.sub(r'"@@(\d+)@@"', lambda m: placeholders[int(m.group(1))], text)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _paths(value, (*prefix, index))


def _replacement(rng: random.Random, old: Any) -> Any:
    size = 8 if not isinstance(old, int) or isinstance(old, bool) else max(old, 1) * 2 + 4
    return rng.choice(
        [
            -1,
            rng.randint(0, size),
            2**64,
            _Huge(),
            1.5,
            "",
            "x",
            "u32",
            "resource",
            None,
            True,
            [],
            {},
            [old] if old is not None else [1],
            {"type": rng.randint(0, size)},
            {"list": rng.randint(0, size)},
            {"x": old},
            "a" * 300,
            _Deep(rng.choice([50, 1000, 100_000])),
        ]
    )


def _typedefs(doc: Any) -> list[dict[str, Any]]:
    """The types arena of a wit-parser document, if it still is a list of objects."""
    types = doc.get("types") if isinstance(doc, dict) else None
    if isinstance(types, list) and types and all(isinstance(t, dict) for t in types):
        return types
    return []


def mutate_json(rng: random.Random, text: str) -> str:
    """Structural edits of a JSON document: values replaced, keys dropped, ids redirected."""
    if rng.random() < 0.25:
        return mutate_text(rng, text)
    doc = json.loads(text)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(list(_paths(doc)))
        if not path:
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        key = path[-1]
        if isinstance(parent, dict) and rng.random() < 0.25:
            del parent[key]
        elif rng.random() < 0.15 and _typedefs(doc):
            # a cycle: some type refers to itself or to a type that refers back
            types = _typedefs(doc)
            index, other = rng.randrange(len(types)), rng.randrange(len(types))
            types[index]["kind"] = {"type": other}
            types[other]["kind"] = rng.choice(
                [{"list": index}, {"option": index}, {"type": index}, {"tuple": {"types": [index]}}]
            )
        else:
            parent[key] = _replacement(rng, parent[key])
    return _dump(doc)


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """Byte flips, truncations, insertions and duplications, mostly past the header."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(8 if rng.random() < 0.9 else 0, len(out))
        edit = rng.randrange(5)
        if edit == 0:
            out[at] = rng.randrange(256)
        elif edit == 1:
            del out[at:]
            if len(out) < 9:
                out += data[len(out) : 9]
        elif edit == 2:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif edit == 3:
            out[at:at] = out[at : at + rng.randint(1, 64)] * rng.randint(2, 8)
        else:
            out[at] = rng.choice([0x00, 0x7F, 0x80, 0xFF])
    return bytes(out)


def _toml_value(value: Any) -> str:
    if isinstance(value, _Huge | _Deep):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    return '""'  # None has no TOML spelling


def dump_toml(doc: dict[str, Any]) -> str:
    """A small TOML writer: top-level tables, each with inline values."""
    lines = []
    for name, table in doc.items():
        if not isinstance(table, dict):
            lines.append(f"{json.dumps(name)} = {_toml_value(table)}")
            continue
        lines.append(f"[{json.dumps(name)}]")
        lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


_MANIFEST_KEYS = {
    "extension": ["id", "name", "version", "component", "description"],
    "permissions": [
        "host",
        "http",
        "max-memory-mb",
        "allowed-domains",
        "requests-per-minute",
        "max-fuel",
        "operations",
    ],
}


def mutate_toml(rng: random.Random, text: str) -> str:
    """Text edits, or values of known keys replaced with values of the wrong type."""
    if rng.random() < 0.4:
        return mutate_text(rng, text)
    doc = tomllib.loads(text)
    for _ in range(rng.randint(1, 3)):
        table = rng.choice(list(_MANIFEST_KEYS))
        key = rng.choice(_MANIFEST_KEYS[table])
        old = doc.get(table, {}).get(key, "x")
        doc.setdefault(table, {})[key] = _replacement(rng, old)
    return dump_toml(doc)


# ---------------------------------------------------------------- the targets


def target_wit(ws: Workspace, rng: random.Random, index: int) -> None:
    text = mutate_text(rng, rng.choice(ws.wit_seeds))
    path = ws.fresh("fuzz.wit")
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    resolve = wit.load(path)
    for package in resolve.main_packages:
        wit.print_wit(resolve, package)
    wit.to_json(resolve)


def target_json(ws: Workspace, rng: random.Random, index: int) -> None:
    text = mutate_json(rng, rng.choice(ws.json_seeds))
    resolve = wit.from_json(text)
    _use_resolve(resolve)


def _use_resolve(resolve: wit.Resolve) -> None:
    """Everything that reads a resolve: JSON, printing, signatures."""
    wit.to_json(resolve)
    if resolve.packages:
        wit.print_resolve(resolve)
    for iface in resolve.interfaces:
        for func in iface.functions.values():
            signature(resolve, func)


def target_component(ws: Workspace, rng: random.Random, index: int) -> None:
    path = ws.fresh("fuzz.wasm")
    path.write_bytes(mutate_bytes(rng, rng.choice(ws.components).read_bytes()))
    info = component_mod.decode(path)
    _use_resolve(info.resolve)


def target_decode_cache(ws: Workspace, rng: random.Random, index: int) -> None:
    """A decode-cache entry for a real component, with corrupt contents."""
    source = rng.choice(ws.components)
    path = ws.fresh("cached.wasm")
    data = source.read_bytes()
    path.write_bytes(data)
    entry = component_mod.cache_entry(hashlib.sha256(data).hexdigest())
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(mutate_json(rng, ws.decoded[source]), encoding="utf-8", errors="surrogatepass")
    component_mod.forget_decoded()
    try:
        info = component_mod.decode(path)
        _use_resolve(info.resolve)
    finally:
        entry.unlink(missing_ok=True)
        component_mod.forget_decoded()


def target_manifest(ws: Workspace, rng: random.Random, index: int) -> None:
    folder = ws.fresh("")
    (folder / "extension.toml").write_text(
        mutate_toml(rng, rng.choice(ws.manifest_seeds)), encoding="utf-8", errors="surrogatepass"
    )
    manifest.load(folder / "extension.toml")


def target_plan(ws: Workspace, rng: random.Random, index: int) -> None:
    folder = ws.fresh("")
    Plan.from_json(mutate_json(rng, ws.plan_seed), base=folder)


def target_cli(ws: Workspace, rng: random.Random, index: int) -> None:
    argv = cli_arguments(ws, rng)
    out, err = io.StringIO(), io.StringIO()
    # in a scratch folder: relative paths such as `-` or `` must not land in the checkout
    scratch = ws.fresh("")
    with (
        contextlib.chdir(scratch),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = cli_main(argv)
    if code not in (0, 1, 2):
        raise AssertionError(f"exit {code} for {argv!r}")
    if code and not err.getvalue().strip():
        raise AssertionError(f"exit {code} with nothing on stderr for {argv!r}")
    if "Traceback" in err.getvalue():
        raise AssertionError(f"a traceback on stderr for {argv!r}")
    if code:
        raise CliRejected(err.getvalue().strip().splitlines()[-1])


_last_argv: list[str] = []
"""The arguments of the CLI case running, to show with a hang."""


class CliRejected(Exception):
    """The CLI refused its arguments cleanly (exit 1 or 2)."""


def cli_arguments(ws: Workspace, rng: random.Random) -> list[str]:
    """A command line naming hostile paths and values."""
    _last_argv.clear()
    paths = ws.hostile

    def path() -> str:
        return paths[rng.choice(list(paths))]

    def out() -> str:
        return rng.choice([str(ws.fresh("out")), path(), str(ws.fresh("out")) + "/\0x"])

    timeout = rng.choice(["nan", "inf", "-inf", "-1", "0", "1e309", "abc", "5", "0.5", ""])
    command = rng.choice(
        [
            ["wit", path()],
            ["wit", path(), "--json"],
            ["wit", paths["wit"], "--features", rng.choice(["\0", "a,,b", "\ud800", "x" * 300])],
            ["inspect", path()],
            ["inspect", path(), "--json"],
            ["link", path(), "-o", out()],
            ["link", paths["folder"], "-o", out()],
            ["check", path(), path()],
            ["deps", path(), "--format", rng.choice(["dot", "json", "xml"])],
            ["libs", path()],
            ["bindgen", rng.choice([paths["wit"], path()]), "-o", out()],
            ["bindgen", paths["wit"], "-o", paths["file"]],
            ["run", rng.choice([paths["plan"], path()]), "adder", "add", "1", "2"],
            ["run", paths["plan"], "adder", "add", "1", "2", "--timeout", timeout],
            ["run", paths["plan"], rng.choice(["\0", "", "x" * 300]), "f", "--cache-dir", out()],
            ["add", path(), "--into", out()],
            ["remove", rng.choice(["x", "\0", "..", ""]), "--from", str(ws.fresh(""))],
        ]
    )
    _last_argv.extend(command)
    return command


@cache
def _wide(n: int) -> list[str]:
    """WIT documents with `n` of one thing: params, fields, cases, functions, types."""
    names = [f"n{i}" for i in range(n)]
    documents = [
        "interface i { f: func(" + ", ".join(f"{x}: u8" for x in names) + "); }",
        "interface i { f: func(" + ", ".join(f"{x}: u8" for x in [*names, "n0"]) + "); }",
        "interface i { record r { " + ", ".join(f"{x}: u8" for x in names) + " } }",
        "interface i { variant v { " + ", ".join(names) + " } }",
        "interface i { enum e { " + ", ".join(names) + " } }",
        "interface i { flags f { " + ", ".join(names[:2000]) + " } }",
        "interface i { " + " ".join(f"{x}: func();" for x in names) + " }",
        "interface i { type t0 = u8; "
        + " ".join(f"type t{i + 1} = list<t{i}>;" for i in range(n))
        + " }",
        "interface i { f: func() -> tuple<" + ", ".join("u8" for _ in names) + ">; }",
        "world w { " + " ".join(f"import {x}: func();" for x in names) + " }",
        " ".join(f"interface {x} {{}}" for x in names),
        "interface i { resource r { " + " ".join(f"{x}: func();" for x in names) + " } }",
    ]
    return [f"package a:b;\n{text}" for text in documents]


EDGE_WIT = [
    "package a:b@1.0." + HUGE + ";\ninterface i {}",
    "package a:b@" + HUGE + ".0.0;\ninterface i {}",
    "package a:b@1.0.18446744073709551616;\ninterface i {}",
    "package a:b@1.0.0-" + HUGE + ";\ninterface i {}",
    "package a:b@1.0.0;\n@since(version = 1.0." + HUGE + ")\ninterface i {}",
    "package a:b;\ninterface i { type t = list<u8, " + HUGE + ">; }",
    "package a:b;\ninterface i { type t = list<u8, 4294967296>; }",
    "package a:b;\ninterface i { type t = " + "list<" * 1000 + "u8" + ">" * 1000 + "; }",
    "package a:b;\ninterface i { type t = " + "tuple<" * 5000 + ">" * 5000 + "; }",
    "package a:b;\n" + "/*" * 10 + "*/" * 10 + "interface i {}",
    "package a:b;\ninterface i { type t = t; }",
    "package a:b;\ninterface i { type a = b; type b = a; }",
    "package a:b;\ninterface i { use i.{t}; }",
    "package a:b;\nworld w { include w; }",
    "package a:b;\ninterface i { f: func(x: \ud800); }",
    "\ufeffpackage a:b;\ninterface i {}",
    "package a:b;\ninterface i {" + "///" + "x" * 100_000 + "\n}",
]
"""WIT text at the edges named in issue 11: huge numbers, deep nesting, self-reference."""

EDGE_JSON = [
    "[" * 1000 + "]" * 1000,
    '{"types": [' + "[" * 100_000 + "]" * 100_000 + "]}",
    '{"types": [], "interfaces": [{"name": "i", "types": {"t": ' + HUGE + "}}]}",
    '{"types": [{"name": "t", "kind": {"type": 0}, "owner": null}]}',
    '{"types": [{"name": null, "kind": {"list": 1}, "owner": null},'
    ' {"name": null, "kind": {"option": 0}, "owner": null}]}',
    '{"types": [{"name": "t", "kind": {"handle": {"own": 0}}, "owner": null}]}',
    '{"types": [{"name": "t", "kind": {"fixed-length-list": ["u8", ' + HUGE + "]}, "
    '"owner": null}]}',
    '{"interfaces": [{"name": "i", "types": {}, "functions": {"f": {"name": "f", '
    '"kind": "freestanding", "params": [{"name": "x", "type": 7}]}}, "package": 3}]}',
    '{"worlds": [{"name": "w", "imports": {"interface-' + HUGE + '": '
    '{"interface": {"id": 0}}}, "exports": {}, "package": null}]}',
    '{"types": ['
    + ", ".join(
        f'{{"name": null, "kind": {{"list": {max(i - 1, 0)}}}, "owner": null}}' for i in range(5000)
    ).replace('{"list": 0}', '"resource"', 1)
    + "]}",
]
"""wit-parser JSON at the edges: deep nesting, huge numbers, dangling ids, cycles."""


def target_edge(ws: Workspace, rng: random.Random, index: int) -> None:
    """The inputs named in issue 11, in turn, and documents 20,000 items wide."""
    wides = _wide(20_000)
    index %= len(EDGE_WIT) + len(EDGE_JSON) + len(wides)
    if index < len(EDGE_JSON):
        _use_resolve(wit.from_json(EDGE_JSON[index]))
        return
    texts = EDGE_WIT + wides
    path = ws.fresh("edge.wit")
    path.write_bytes(texts[index - len(EDGE_JSON)].encode("utf-8", "surrogatepass"))
    resolve = wit.load(path)
    for package in resolve.main_packages:
        wit.print_wit(resolve, package)
    wit.to_json(resolve)


TARGETS: dict[str, Callable[[Workspace, random.Random, int], None]] = {
    "edge": target_edge,
    "wit": target_wit,
    "json": target_json,
    "component": target_component,
    "decode-cache": target_decode_cache,
    "manifest": target_manifest,
    "plan": target_plan,
    "cli": target_cli,
}


# ---------------------------------------------------------------- running


_case_cpu_start = 0.0
"""`time.process_time()` when the running case began."""


def _on_alarm(signum: int, frame: object) -> None:
    """CPU limit: a hang. Wall limit: a hang if the case is blocked, not computing.

    On a busy machine a case can compute for its few CPU seconds yet take longer than
    `WALL_LIMIT`; one that used under a second of CPU in all that time is blocked.
    """
    if signum == signal.SIGPROF:
        raise Hang(f"over {LIMIT} s of CPU")
    if time.process_time() - _case_cpu_start > 1.0:
        signal.setitimer(signal.ITIMER_REAL, WALL_LIMIT)  # computing: the CPU limit decides
        return
    raise Hang(f"blocked for over {WALL_LIMIT} s")


def good_message(text: str) -> bool:
    """A message a person can act on: words, not a bare key or repr."""
    return len(text) >= 12 and " " in text.strip() and "Traceback" not in text


def run_case(ws: Workspace, case: str) -> Outcome:
    """Run case `target:index` in this process, under CPU-time and wall-clock alarms."""
    name, _, index = case.partition(":")
    rng = random.Random(case)
    previous = {sig: signal.signal(sig, _on_alarm) for sig in (signal.SIGPROF, signal.SIGALRM)}
    global _case_cpu_start
    start = time.perf_counter()
    cpu_start = _case_cpu_start = time.process_time()
    where = ""
    try:
        try:
            signal.setitimer(signal.ITIMER_PROF, LIMIT)
            signal.setitimer(signal.ITIMER_REAL, WALL_LIMIT)
            TARGETS[name](ws, rng, int(index))
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
        kind, detail = "ok", ""
    except Hang as err:
        kind, detail = "hang", str(err)
        if name == "cli":
            detail += f" {_last_argv!r}"
    except CliRejected as err:
        kind, detail = "rejected", str(err)
    except WitlinkError as err:
        good = good_message(str(err))
        kind = "rejected" if good else "leak"
        detail = str(err) if good else f"unhelpful message {str(err)!r} ({type(err).__name__})"
    except Exception as err:  # classifying every escape is the point
        frames = traceback.extract_tb(err.__traceback__)
        frame = next((f for f in reversed(frames) if "/linker/" in f.filename), frames[-1])
        kind = "leak"
        where = f"{os.path.relpath(frame.filename, ROOT)}:{frame.lineno}"
        detail = f"{type(err).__name__}: {str(err)[:160]} [{where}]"
        if name == "cli":
            detail += f" {_last_argv!r}"
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    seconds = time.process_time() - cpu_start
    if kind != "hang" and seconds > LIMIT:
        kind, detail = "hang", f"took {seconds:.1f} s of CPU"
    return Outcome(case, kind, detail, time.perf_counter() - start, seconds, where)


def cases(count: int, targets: list[str] | None = None, start: int = 0) -> list[str]:
    """`count` case names from the `start`th on, spread evenly over the targets."""
    names = targets or list(TARGETS)
    return [f"{names[i % len(names)]}:{i // len(names)}" for i in range(start, start + count)]


@contextlib.contextmanager
def workspace() -> Iterator[Workspace]:
    """A scratch workspace with its own decode cache (so corrupt entries stay there)."""
    with tempfile.TemporaryDirectory(prefix="witlink-fuzz-") as tmp:
        saved = os.environ.get("WITLINK_DECODE_CACHE")
        os.environ["WITLINK_DECODE_CACHE"] = str(Path(tmp) / "decoded")
        component_mod.forget_decoded(cache_dir=True)
        try:
            yield Workspace(Path(tmp))
        finally:
            if saved is None:
                del os.environ["WITLINK_DECODE_CACHE"]
            else:
                os.environ["WITLINK_DECODE_CACHE"] = saved
            component_mod.forget_decoded(cache_dir=True)


def campaign(
    count: int, targets: list[str] | None = None, start: int = 0, verbose: bool = True
) -> list[Outcome]:
    outcomes = []
    with workspace() as ws:
        for case in cases(count, targets, start):
            outcome = run_case(ws, case)
            outcomes.append(outcome)
            if verbose and outcome.kind in ("leak", "hang"):
                print(f"{outcome.kind}: {outcome.case}: {outcome.detail}", flush=True)
    return outcomes


def _leak_kind(outcome: Outcome) -> str:
    """A leak's exception type and place, for counting distinct leaks."""
    if not outcome.where:
        return outcome.detail[:80]
    return f"{outcome.detail.split(':', 1)[0]} at {outcome.where}"


def summary(outcomes: list[Outcome]) -> str:
    kinds = Counter(o.kind for o in outcomes)
    lines = [f"{len(outcomes)} inputs: {kinds['leak']} leaks, {kinds['hang']} hangs"]
    for name in TARGETS:
        mine = [o for o in outcomes if o.case.startswith(name + ":")]
        if mine:
            counted = Counter(o.kind for o in mine)
            slowest = max(o.cpu for o in mine)
            lines.append(
                f"  {name:13} {len(mine):6} cases: {counted['ok']} accepted, "
                f"{counted['rejected']} rejected, {counted['leak']} leaks, "
                f"{counted['hang']} hangs (most CPU {slowest:.2f} s)"
            )
    distinct = Counter(_leak_kind(o) for o in outcomes if o.kind == "leak")
    if distinct:
        lines.append(f"  {len(distinct)} distinct leaks:")
        lines += [f"    {count:5} x {kind}" for kind, count in distinct.most_common()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, nargs="?", default=1000, help="number of inputs")
    parser.add_argument("--target", action="append", choices=list(TARGETS), help="only these")
    parser.add_argument("--case", help="replay one case, e.g. json:17, and show its outcome")
    parser.add_argument("--start", type=int, default=0, help="skip the first START inputs")
    args = parser.parse_args()
    if args.case:
        with workspace() as ws:
            outcome = run_case(ws, args.case)
        print(
            f"{outcome.kind}: {outcome.case} ({outcome.seconds:.2f} s, "
            f"{outcome.cpu:.2f} s of CPU): {outcome.detail}"
        )
        return 0 if outcome.kind in ("ok", "rejected") else 1
    start = time.perf_counter()
    outcomes = campaign(args.count, args.target, args.start)
    print(summary(outcomes))
    print(f"  in {time.perf_counter() - start:.0f} s")
    return 0 if all(o.kind in ("ok", "rejected") for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
