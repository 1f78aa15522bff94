"""`witlink check INPUT...`: link without writing a plan; report every problem."""

from __future__ import annotations

import argparse

from linker.cli.linking import add_inputs, analyze_args, report


def configure(parser: argparse.ArgumentParser) -> None:
    add_inputs(parser)


def run(args: argparse.Namespace) -> int:
    linkage = analyze_args(args)
    code = report(linkage.diagnostics)
    if code == 0:
        print(f"ok: {len(linkage.extensions)} extensions link; order: {' '.join(linkage.order)}")
    return code
