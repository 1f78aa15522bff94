"""`witlink inspect COMPONENT.wasm [--json]`: a component's imports and exports with signatures."""

from __future__ import annotations

import argparse
import json
from typing import Any

from linker import component
from linker.cli.argtypes import existing_file
from linker.component import ComponentInfo, Item
from linker.wit.signature import signature


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", type=existing_file, metavar="COMPONENT.wasm", help="a component file"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _item(info: ComponentInfo, item: Item) -> dict[str, Any]:
    kind = "interface" if item.interface is not None else "function"
    functions = [
        {"name": f.name, "signature": signature(info.resolve, f)} for f in info.functions(item)
    ]
    return {"name": item.name, "kind": kind, "functions": functions}


def describe(info: ComponentInfo) -> dict[str, Any]:
    """The component's imports and exports as a JSON-ready document."""
    return {
        "sha256": info.sha256,
        "size": info.size,
        "imports": [_item(info, i) for i in info.imports],
        "exports": [_item(info, e) for e in info.exports],
    }


def run(args: argparse.Namespace) -> int:
    doc = describe(component.decode(args.path))
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print(f"{args.path}  ({doc['size']} bytes, sha256 {doc['sha256'][:16]}...)")
    for section in ("imports", "exports"):
        print(f"{section}:")
        for entry in doc[section]:
            if entry["kind"] == "function":
                print(f"  {entry['name']}: {entry['functions'][0]['signature']}")
                continue
            print(f"  {entry['name']}")
            for func in entry["functions"]:
                print(f"    {func['name']}: {func['signature']}")
    return 0
