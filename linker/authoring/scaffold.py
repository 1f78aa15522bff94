"""`new(...)`: a ready extension folder in Python, JavaScript or WAT.

The folder holds a commented `extension.toml`, `wit/world.wit` (importing the
`witlink:host` interfaces and the libs it uses; exporting `witlink:host/guest` and a
`run` function, or a lib), a source file that builds as it is and calls the first lib it
uses, and a README saying how to build it. The libs' WIT comes from their providers'
components (`libwit`), written to `wit/deps/`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import attrs

from linker.authoring import libwit
from linker.authoring.build import host_package
from linker.errors import InputError
from linker.wit import model as m
from linker.wit.semver import parse

LANGS = ("python", "js", "wat")
_NAME = re.compile(r"[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*")
_SAMPLES = {
    m.Primitive.STRING: ("'world'", "'world'"),
    m.Primitive.BOOL: ("True", "true"),
    **{p: ("2", "2") for p in m.Primitive if re.fullmatch(r"[us]\d+", p.value)},
    m.Primitive.F32: ("1.5", "1.5"),
    m.Primitive.F64: ("1.5", "1.5"),
}


@attrs.frozen
class Use:
    """A lib the new extension imports; `functions` is empty when only its name is known."""

    name: str
    functions: tuple[m.Function, ...] = ()


def _snake(name: str) -> str:
    return name.replace("-", "_")


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part.capitalize() for part in rest)


def _example_call(use: Use, lang: str) -> tuple[str, str] | None:
    """(function name, call text) for the first function taking only simple arguments."""
    for function in use.functions:
        if all(isinstance(p.type, m.Primitive) and p.type in _SAMPLES for p in function.params):
            column = 0 if lang == "python" else 1
            args = ", ".join(_SAMPLES[p.type][column] for p in function.params)  # type: ignore[index]
            name = _snake(function.name) if lang == "python" else _camel(function.name)
            return name, f"{name}({args})"
    return None


def resolve_uses(uses: Sequence[str]) -> tuple[list[Use], libwit.LibPackages]:
    """Each `--uses` entry: an extensions directory or extension (its libs), or a lib name."""
    found: list[Use] = []
    paths = []
    for entry in uses:
        if Path(entry).exists():
            paths.append(Path(entry))
            continue
        parsed = parse(entry)
        if parsed is None or parsed.interface != "lib" or parsed.version is None:
            raise InputError(
                f"--uses {entry}: neither an existing path nor a lib name such as "
                "acme:math/lib@1.0.0"
            )
        found.append(Use(entry))
    offered = libwit.collect(paths) if paths else libwit.LibPackages((), {})
    if paths and not offered.libs:
        raise InputError(f"--uses {', '.join(map(str, paths))}: no extension there exports a lib")
    found += [Use(lib.name, lib.functions) for lib in offered.libs]
    return found, offered


def _check(name: str, lang: str, exports: str | None) -> tuple[str, str | None]:
    if not _NAME.fullmatch(name):
        raise InputError(
            f"`{name}` cannot name an extension: use lowercase words joined by `-` "
            "(e.g. `my-ext`), each starting with a letter"
        )
    if lang not in LANGS:
        raise InputError(f"--lang {lang}: choose one of {', '.join(LANGS)}")
    if exports is None:
        return f"local:{name}", None
    parsed = parse(exports)
    if parsed is None or parsed.interface != "lib":
        raise InputError(
            f"--exports {exports}: witlink links `*/lib` interfaces; write ns:pkg/lib@VERSION "
            "(e.g. acme:math/lib@0.1.0)"
        )
    package = parsed.package + (f"@{parsed.version}" if parsed.version else "")
    return package, exports


def _world(name: str, lang: str, package: str, exports: str | None, uses: list[Use]) -> str:
    host = host_package()
    version = host.split("@")[1]
    lines = [f"package {package};", ""]
    if exports is not None:
        if lang == "wat":
            lines += [
                "/// What this extension offers other extensions.",
                "interface lib {",
                "  /// `a + b`.",
                "  add: func(a: u32, b: u32) -> u32;",
                "}",
                "",
            ]
        else:
            lines += ["/// What this extension offers other extensions.", "interface lib {",
                      "  /// A greeting for `name`.", "  greet: func(name: string) -> string;",
                      "}", ""]  # fmt: skip
    lines.append(f"world {name} {{")
    for iface in ("host", "job", "http") if exports is None else ("host",):
        lines.append(f"  import witlink:host/{iface}@{version};")
    lines += [f"  import {use.name};" for use in uses]
    if exports is not None:
        lines.append("  export lib;")
    else:
        if lang != "wat":
            lines.append(f"  export witlink:host/guest@{version};")
        result = "u32" if lang == "wat" else "string"
        lines += [
            f"  /// Try it: `witlink run PLAN {name} run`.",
            f"  export run: func() -> {result};",
        ]
    return "\n".join([*lines, "}", ""])


def _python(name: str, exports: str | None, uses: list[Use]) -> str:
    if exports is not None:
        return (
            f'"""Extension `{name}`: exports {exports} (see wit/world.wit)."""\n\n'
            "from wit_world import exports\n\n\n"
            "class Lib(exports.Lib):\n"
            "    def greet(self, name: str) -> str:\n"
            '        return f"hello, {name}!"\n'
        )
    call = _example_call(uses[0], "python") if len(uses) == 1 else None
    imports = "host, types" + (", lib" if call else "")
    body = f'f"{name} says: {{lib.{call[1]}}}"' if call else f'"{name} is running"'
    return (
        f'"""Extension `{name}` (see wit/world.wit); `witlink build` builds it."""\n\n'
        "import wit_world\n"
        "from componentize_py_types import Err\n"
        "from wit_world import exports\n"
        f"from wit_world.imports import {imports}\n\n\n"
        "class Guest(exports.Guest):\n"
        "    def init(self) -> None:\n"
        f'        host.log(types.Level.INFO, "{name} is ready")\n\n'
        "    def run_job(self, name: str, state: bytes | None) -> None:\n"
        f'        raise Err(f"{name} has no job named {{name}}")\n\n'
        "    def on_event(self, topic: str, payload: str) -> str | None:\n"
        "        return None\n\n\n"
        "class WitWorld(wit_world.WitWorld):\n"
        "    def run(self) -> str:\n"
        f"        return {body}\n"
    )


def _js(name: str, exports: str | None, uses: list[Use]) -> str:
    if exports is not None:
        return (
            f"// Extension `{name}`: exports {exports} (see wit/world.wit).\n\n"
            "export const lib = {\n"
            "  greet(name) {\n"
            "    return `hello, ${name}!`;\n"
            "  },\n"
            "};\n"
        )
    call = _example_call(uses[0], "js") if len(uses) == 1 else None
    head = f"// Extension `{name}` (see wit/world.wit); `witlink build` builds it.\n\n"
    head += f"import {{ log }} from 'witlink:host/host@{host_package().split('@')[1]}';\n"
    if call:
        head += f"import {{ {call[0]} }} from '{uses[0].name}';\n"
    body = f"`{name} says: ${{{call[1]}}}`" if call else f"'{name} is running'"
    return (
        f"{head}\n"
        "export const guest = {\n"
        "  init() {\n"
        f"    log('info', '{name} is ready');\n"
        "  },\n"
        "  runJob(name, state) {\n"
        f"    throw `{name} has no job named ${{name}}`;\n"
        "  },\n"
        "  onEvent(topic, payload) {\n"
        "    return undefined;\n"
        "  },\n"
        "};\n\n"
        "export function run() {\n"
        f"  return {body};\n"
        "}\n"
    )


def _wat(exports: str | None) -> str:
    if exports is not None:
        return (
            "(module\n"
            '  (memory (export "memory") 1)\n'
            f'  (func (export "{exports}#add") (param i32 i32) (result i32)\n'
            "    (i32.add (local.get 0) (local.get 1))))\n"
        )
    return '(module\n  (func (export "run") (result i32)\n    (i32.const 42)))\n'


def _manifest(name: str) -> str:
    return f"""# The manifest of extension `{name}`; every key is described under
# "Extension manifest (extension.toml)" in witlink's README.

[extension]
id = "{name}"                # lowercase letters, digits, `-` and `_`
version = "0.1.0"
component = "{name}.wasm"    # written by `witlink build`

[permissions]                # everything is denied unless listed here
methods = []                 # host operations it may call, by prefix: ["files.", "ai.ocr"]
libraries = []               # library ids it may pass to `call` ("*" for any)
allowed-domains = []         # hosts witlink:host/http may reach: ["api.example.com"]
# max-memory-mb = 64         # linear memory limit

# [permissions.rate-limits]
# requests-per-minute = 600  # host `call`s a minute (a token bucket)
# concurrent-jobs = 2        # jobs running at once

[events]
subscribe = []               # topics for `on-event`: ["files.created", "plan.*"]

# [dependencies]             # pin a provider when several export the same lib
# "acme:math/lib" = "mathlib"
"""


def _readme(name: str, lang: str, exports: str | None) -> str:
    source = {"python": "app.py", "js": "app.js", "wat": "module.wat"}[lang]
    tool = {"python": "componentize-py", "js": "componentize-js", "wat": "wasm-tools"}[lang]
    what = f"exports `{exports}`" if exports else "exports `run` and `witlink:host/guest`"
    return f"""# {name}

A witlink extension ({lang}); it {what} (see `wit/world.wit`).
Edit `{source}`, then build it with {tool}:

```sh
witlink build {name} --into EXTENSIONS_DIR   # writes {name}/{name}.wasm and adds it there
```

`witlink build` fills `wit/deps/` with the `witlink:host` WIT and the WIT of every lib
the world imports, taken from the extensions in EXTENSIONS_DIR (or `--libs DIR`).
"""


SOURCE_FILES = {"python": "app.py", "js": "app.js", "wat": "module.wat"}


def new(
    name: str,
    lang: str,
    *,
    exports: str | None = None,
    uses: Sequence[str] = (),
    into: Path = Path("."),
) -> Path:
    """Write extension `name` to `into/name/`; returns that folder."""
    package, exports = _check(name, lang, exports)
    folder = into / name
    if folder.exists():
        raise InputError(f"{folder} already exists; choose another name or remove it")
    used, offered = resolve_uses(uses)
    source = {
        "python": lambda: _python(name, exports, used),
        "js": lambda: _js(name, exports, used),
        "wat": lambda: _wat(exports),
    }[lang]()
    (folder / "wit").mkdir(parents=True)
    (folder / "wit" / "world.wit").write_text(
        _world(name, lang, package, exports, used), encoding="utf-8"
    )
    offered.write(folder / "wit" / "deps")
    (folder / SOURCE_FILES[lang]).write_text(source, encoding="utf-8")
    (folder / "extension.toml").write_text(_manifest(name), encoding="utf-8")
    (folder / "README.md").write_text(_readme(name, lang, exports), encoding="utf-8")
    return folder
