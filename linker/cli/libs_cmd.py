"""`witlink libs INPUT...`: each `lib` interface, its version, its provider, and its users."""

from __future__ import annotations

import argparse
import json
from typing import TypedDict

from linker.cli.linking import add_inputs, analyze_args, report
from linker.plan.matching import Linkage
from linker.wit.semver import parse


def configure(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


class LibRow(TypedDict):
    interface: str
    version: str | None
    provider: str
    users: list[str]


def libs(linkage: Linkage) -> list[LibRow]:
    """One entry per exported `lib` interface, sorted by name then provider."""
    users: dict[tuple[str, str], list[str]] = {}
    for binding in linkage.bindings:
        users.setdefault((binding.provider, binding.export), []).append(binding.consumer)
    rows: list[LibRow] = []
    for ext in linkage.extensions:
        for item in ext.component.exports:
            parsed = parse(item.name)
            if parsed is None or parsed.interface != "lib":
                continue
            rows.append(
                {
                    "interface": parsed.base,
                    "version": parsed.version,
                    "provider": ext.id,
                    "users": sorted(users.get((ext.id, item.name), [])),
                }
            )
    return sorted(rows, key=lambda r: (r["interface"], r["provider"]))


def run(args: argparse.Namespace) -> int:
    linkage = analyze_args(args)
    rows = libs(linkage)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            used = ", ".join(row["users"]) if row["users"] else "(unused)"
            version = f"@{row['version']}" if row["version"] else ""
            print(f"{row['interface']}{version}  provided by {row['provider']}  used by {used}")
    return report(linkage.diagnostics)
