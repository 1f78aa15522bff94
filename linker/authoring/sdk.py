"""Typed guest modules for a host's operations, generated from `Operations.catalog()`.

`python(catalog)` gives a module for componentize-py guests, `js(catalog)` one for
componentize-js guests plus its TypeScript declarations. Each operation becomes one
function (`files.list` -> `files_list` / `filesList`) taking the payload's fields as typed
arguments and returning the typed result; a `call-error` becomes an exception
(`Denied`, `RateLimited`, `NotFound`, `Invalid`, `Failed`, all `CallError`s).
"""

from __future__ import annotations

import functools
import importlib
import json
import keyword
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from linker.authoring.build import BuildError, host_package
from linker.errors import InputError
from linker.services.opschema import Operations
from linker.wit import model as m
from linker.wit.loader import load

Schema = dict[str, Any]
Catalog = list[dict[str, Any]]
_TYPING_PLACEHOLDER = "@typing@"
_NUMBERS = {m.Primitive.U8, m.Primitive.U16, m.Primitive.U32, m.Primitive.U64}


@functools.cache
def error_cases() -> tuple[tuple[str, bool], ...]:
    """witlink:host's `call-error` cases, each with whether its payload is a number, read
    from witlink's own host.wit."""
    with resources.as_file(resources.files("linker").joinpath("data/host.wit")) as path:
        resolve = load(path)
    for typedef in resolve.types:
        if typedef.name == "call-error" and isinstance(typedef.kind, m.Variant):
            return tuple((case.name, case.type in _NUMBERS) for case in typedef.kind.cases)
    raise BuildError("witlink's own host.wit has no variant call-error")  # pragma: no cover


def load_catalog(spec: str) -> Catalog:
    """The catalog of `MODULE:ATTRIBUTE`, an `Operations` (the module imported from cwd)."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise InputError(f"{spec}: write MODULE:OPERATIONS, e.g. myhost.ops:ops")
    if "" not in sys.path and str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise InputError(f"{spec}: cannot import {module_name}: {err}") from None
    ops = getattr(module, attr, None)
    if not isinstance(ops, Operations):
        raise InputError(f"{spec}: `{attr}` in {module_name} is not a linker.host.Operations")
    return ops.catalog()


def _title(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _ident(name: str) -> str:
    snake = "".join(c if c.isalnum() else "_" for c in name) or "value"
    snake = f"f_{snake}" if snake[0].isdigit() else snake
    return f"{snake}_" if keyword.iskeyword(snake) else snake


def _defs(catalog: Catalog) -> dict[str, Schema]:
    defs: dict[str, Schema] = {}
    for entry in catalog:
        for side in ("payload", "result"):
            defs.update(entry[side].get("$defs", {}))
    return defs


def _object(schema: Schema, defs: dict[str, Schema]) -> Schema | None:
    """The object definition `schema` refers to, if it is one with named fields."""
    if "$ref" in schema:
        target = defs[schema["$ref"].rsplit("/", 1)[1]]
        return target if "properties" in target else None
    return None


class _Types:
    """JSON Schema -> type expressions, in Python or TypeScript."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def expr(self, schema: Schema) -> str:
        py = self.lang == "python"
        if "$ref" in schema:
            return str(schema["$ref"].rsplit("/", 1)[1])
        if "anyOf" in schema:
            return " | ".join(self.expr(s) for s in schema["anyOf"])
        if "enum" in schema:
            values = ", ".join(json.dumps(v) for v in schema["enum"])
            return f"Literal[{values}]" if py else " | ".join(json.dumps(v) for v in schema["enum"])
        kind = schema.get("type")
        if kind == "array":
            item = self.expr(schema["items"])
            return f"list[{item}]" if py else f"Array<{item}>"
        if kind == "object":
            value = self.expr(schema.get("additionalProperties", {}))
            return f"dict[str, {value}]" if py else f"Record<string, {value}>"
        names = {
            "string": ("str", "string"),
            "integer": ("int", "number"),
            "number": ("float", "number"),
            "boolean": ("bool", "boolean"),
            "null": ("None", "null"),
        }
        return names[kind][0 if py else 1] if kind in names else ("Any" if py else "unknown")


def _doc_lines(doc: str, indent: str, lang: str) -> list[str]:
    if not doc:
        return []
    if lang == "python":
        return [f'{indent}"""{doc.replace(chr(34) * 3, "")}"""']
    return [f"{indent}/** {doc.replace('*/', '')} */"]


def python(catalog: Catalog) -> str:
    """A module for componentize-py guests (it imports `wit_world.imports.host`)."""
    types = _Types("python")
    defs = _defs(catalog)
    out = [
        '"""Typed host operations, generated by `witlink sdk`: do not edit."""',
        "",
        "from __future__ import annotations",
        "",
        "import json",
        f"from typing import {_TYPING_PLACEHOLDER}",
        "",
        "from componentize_py_types import Err",
        "from wit_world.imports import host",
        "",
        "__all__ = [",
        '    "CallError",',
        *[f'    "{_title(case)}",' for case, _ in error_cases()],
        *[f'    "{_ident(entry["name"])}",' for entry in catalog],
        "]",
        "",
        "",
        "class CallError(Exception):",
        '    """A host operation refused or failed; `detail` says why."""',
        "",
        "    def __init__(self, method: str, detail: Any) -> None:",
        '        super().__init__(f"{method}: {type(self).__name__}: {detail}")',
        "        self.method = method",
        "        self.detail = detail",
        "",
    ]
    for case, _ in error_cases():
        out += ["", f"class {_title(case)}(CallError):", f'    """`call-error.{case}`."""', ""]
    out += [
        "",
        "_ERRORS: dict[str, type[CallError]] = {",
        *[f'    "{case.replace("-", "")}": {_title(case)},' for case, _ in error_cases()],
        "}",
        "",
        "",
        "def _call(method: str, payload: Any, library_id: str | None) -> Any:",
        "    try:",
        "        text = host.call(method, library_id, json.dumps(payload))",
        "    except Err as err:",
        '        kind = type(err.value).__name__.removeprefix("CallError_").lower()',
        "        raise _ERRORS[kind](method, err.value.value) from None",
        "    return json.loads(text)",
        "",
        "",
        "def _present(fields: dict[str, Any]) -> dict[str, Any]:",
        '    """The fields given (optional ones left as None are not sent)."""',
        "    return {k: v for k, v in fields.items() if v is not None}",
        "",
    ]
    for title, schema in defs.items():
        if "properties" not in schema:
            continue
        out += ["", f"class {title}(TypedDict):"]
        for name, prop in schema["properties"].items():
            hint = types.expr(prop)
            if name not in schema["required"]:
                hint = f"NotRequired[{hint}]"
            out.append(f"    {name}: {hint}")
        out += [""] if schema["properties"] else ["    pass", ""]
    for entry in catalog:
        out += ["", *_python_function(entry, defs, types)]
    text = "\n".join(out).rstrip() + "\n"
    names = ("Literal", "NotRequired", "TypedDict", "cast")
    used = [n for n in names if any(f"{n}{c}" in text for c in "[()")]
    return text.replace(_TYPING_PLACEHOLDER, ", ".join(["Any", *used]))


def _python_function(
    entry: dict[str, Any], defs: dict[str, Schema], types: _Types
) -> Iterator[str]:
    name = _ident(entry["name"])
    result = types.expr(entry["result"])
    fields = _object(entry["payload"], defs)
    if fields is None:
        payload = entry["payload"]
        default = " = None" if not payload.get("type") and "$ref" not in payload else ""
        params = [f"payload: {types.expr(payload)}{default}", "*"]
        build = []
    else:
        props = fields["properties"]
        required = [f for f in props if f in fields["required"]]
        optional = [f for f in props if f not in fields["required"]]
        params = ["*"] if props else []
        params += [f"{_ident(f)}: {types.expr(props[f])}" for f in required]
        params += [f"{_ident(f)}: {types.expr(props[f])} | None = None" for f in optional]
        pairs = ", ".join(f'"{f}": {_ident(f)}' for f in props)
        build = [
            f"    payload = _present({{{pairs}}})" if optional else f"    payload = {{{pairs}}}"
        ]
    if not params:
        params = ["*"]
    params.append("library_id: str | None = None")
    head = f"def {name}({', '.join(params)}) -> {result}:"
    if len(head) > 100:
        head = "\n".join([f"def {name}(", *[f"    {p}," for p in params], f") -> {result}:"])
    yield head
    yield from _doc_lines(entry["doc"] or f"Host operation `{entry['method']}`.", "    ", "python")
    yield from build
    yield f'    return cast("{result}", _call("{entry["method"]}", payload, library_id))'
    yield ""


def js(catalog: Catalog) -> tuple[str, str]:
    """A module for componentize-js guests and its TypeScript declarations (`.d.ts`)."""
    types = _Types("js")
    defs = _defs(catalog)
    host = f"witlink:host/host@{host_package().split('@')[1]}"
    code = [
        "// Typed host operations, generated by `witlink sdk`: do not edit.",
        f"import {{ call }} from '{host}';",
        "",
        "/** A host operation refused or failed; `detail` says why. */",
        "export class CallError extends Error {",
        "  constructor(method, kind, detail) {",
        "    super(`${method}: ${kind}: ${detail}`);",
        "    this.name = new.target.name;",
        "    this.method = method;",
        "    this.kind = kind;",
        "    this.detail = detail;",
        "  }",
        "}",
    ]
    code += [f"export class {_title(c)} extends CallError {{}}" for c, _ in error_cases()]
    code += [
        "",
        "const ERRORS = {",
        *[f"  '{case}': {_title(case)}," for case, _ in error_cases()],
        "};",
        "",
        "function invoke(method, payload, libraryId) {",
        "  let text;",
        "  try {",
        "    const body = JSON.stringify(payload === undefined ? null : payload);",
        "    text = call(method, libraryId, body);",
        "  } catch (e) {",
        "    const err = e !== null && typeof e === 'object' && 'payload' in e ? e.payload : e;",
        "    const Kind = err !== null && typeof err === 'object' ? ERRORS[err.tag] : undefined;",
        "    if (Kind !== undefined) throw new Kind(method, err.tag, err.val);",
        "    throw e;",
        "  }",
        "  return JSON.parse(text);",
        "}",
    ]
    decls = [
        "// Typed host operations, generated by `witlink sdk`: do not edit.",
        "",
        "/** A host operation refused or failed; `detail` says why. */",
        "export declare class CallError extends Error {",
        "  readonly method: string;",
        f"  readonly kind: {' | '.join(repr(case) for case, _ in error_cases())};",
        "  readonly detail: string | number;",
        "}",
    ]
    for case, number in error_cases():
        detail = "number" if number else "string"
        decls.append(
            f"export declare class {_title(case)} extends CallError {{ "
            f"readonly kind: '{case}'; readonly detail: {detail}; }}"
        )
    for title, schema in defs.items():
        if "properties" not in schema:
            continue
        decls += ["", f"export interface {title} {{"]
        for name, prop in schema["properties"].items():
            mark = "" if name in schema["required"] else "?"
            decls.append(f"  {json.dumps(name)}{mark}: {types.expr(prop)};")
        decls.append("}")
    for entry in catalog:
        name = _camel(_ident(entry["name"]))
        payload = entry["payload"]
        optional = "?" if not payload.get("type") and "$ref" not in payload else ""
        doc = _doc_lines(entry["doc"] or f"Host operation `{entry['method']}`.", "", "js")
        code += [
            "",
            *doc,
            f"export function {name}(payload, libraryId) {{",
            f"  return invoke({json.dumps(entry['method'])}, payload, libraryId);",
            "}",
        ]
        decls += [
            "",
            *doc,
            f"export declare function {name}(payload{optional}: {types.expr(payload)}, "
            f"libraryId?: string): {types.expr(entry['result'])};",
        ]
    return "\n".join(code) + "\n", "\n".join(decls) + "\n"


def write(catalog: Catalog, lang: str, out: Path, module: str = "host_ops") -> list[Path]:
    """Write the guest module for `lang` (python or js) into `out`; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    if lang == "python":
        files = {f"{module}.py": python(catalog)}
    else:
        code, decls = js(catalog)
        files = {f"{module}.js": code, f"{module}.d.ts": decls}
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]
