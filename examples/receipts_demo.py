"""The witlink demo: a checkpointed job in a Python extension that reads receipts over HTTP.

Two componentize-py extensions from `test-components/`: `text` exports `demo:text/lib`
(extract a receipt's merchant, total and date); `receipts` runs the job `scan`, which asks
the host for receipt URLs, fetches each through `witlink:host/http` (only to its
allowed-domains), has `text` extract the fields, stores them through the host operation
`receipts.store`, and checkpoints after every receipt. The receipts come from an HTTP
server on 127.0.0.1 started here, which fails once on purpose, so the job fails and is
resumed from its checkpoint. Nothing leaves the machine.

    python examples/receipts_demo.py [--build-dir DIR] [--cache-dir DIR]
    (or: just demo, ./dev demo)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "test-components")]

import componentbuild  # noqa: E402

from linker.authoring import extdir  # noqa: E402
from linker.cli.run_cmd import Progress  # noqa: E402
from linker.errors import WitlinkError  # noqa: E402
from linker.host import Host, OperationContext, Operations  # noqa: E402
from linker.plan import analyze  # noqa: E402
from linker.plan.depgraph import render  # noqa: E402
from linker.plan.link import plan_of  # noqa: E402
from linker.services.jobs import JobRecord  # noqa: E402

RECEIPTS = {
    "bakery.txt": "Corner Bakery\n2026-11-02\nsourdough 4.20\ncroissant x2 3.60\nTOTAL 7.80\n",
    "grocer.txt": "Green Grocer\n2026-11-03\napples 2.40\nmilk 1.10\nTotal: 3,50\n",
    "books.txt": "Old Page Books\n2026-11-05\nWIT for beginners 18.00\nTOTAL 18.00\n",
    "cafe.txt": "Cafe Lumen\n2026-11-06\nflat white 3.40\nTOTAL 3.40\n",
}
FLAKY = "books.txt"
"""Answered with HTTP 503 the first time it is asked for."""


@contextmanager
def receipt_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 serving `RECEIPTS`; yields its base URL and request log."""
    requests: list[str] = []
    failed_once: set[str] = set()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            name = self.path.lstrip("/")
            requests.append(name)
            time.sleep(0.3)  # slow enough to watch the progress line
            if name == FLAKY and name not in failed_once:
                failed_once.add(name)
                status, body = 503, b"busy, try again"
            elif name in RECEIPTS:
                status, body = 200, RECEIPTS[name].encode()
            else:
                status, body = 404, b"not found"
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def operations(urls: list[str], stored: list[dict[str, Any]]) -> Operations:
    """The host application's side: where receipts come from and where they go."""
    ops = Operations()

    @ops.operation("receipts.sources")
    def sources(ctx: OperationContext, payload: Any) -> Any:
        return urls

    @ops.operation("receipts.store")
    def store(ctx: OperationContext, payload: Any) -> Any:
        stored.append(payload)
        return {"stored": len(stored)}

    return ops


def show_progress(record: JobRecord) -> None:
    width = 24
    filled = width * record.completed // max(record.total, 1)
    line = (
        f"  [{'#' * filled}{'.' * (width - filled)}] {record.completed}/{record.total} "
        f"{record.message}"
    )
    if sys.stdout.isatty():
        print(f"\r{line:<72}", end="" if record.completed < record.total else "\n", flush=True)
    else:
        print(line, flush=True)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="the witlink receipts demo")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build", help="plan.json, jobs")
    parser.add_argument("--cache-dir", type=Path, default=None, help="compile cache folder")
    args = parser.parse_args(argv)
    build: Path = args.build_dir
    print("== building the demo extensions (componentize-py; cached by content hash)")
    extensions = build / "extensions"
    shutil.rmtree(extensions, ignore_errors=True)
    for name in ("demo-text", "demo-receipts"):
        ext_id = extdir.add(componentbuild.build(name), extensions)  # as `witlink add` does
        print(f"  {extensions / ext_id}")

    print("\n== linking")
    linkage = analyze([extensions])
    plan = plan_of(linkage)
    plan.save(build / "plan.json")
    print(f"  plan written to {build / 'plan.json'}; load order: {', '.join(plan.order)}")
    print("\n== dependency graph (witlink deps)")
    print("  " + render(linkage, "text").rstrip().replace("\n", "\n  "))

    data_dir = build / "demo-data"
    (data_dir / "jobs.sqlite").unlink(missing_ok=True)
    stored: list[dict[str, Any]] = []
    with receipt_server() as (base, requests):
        urls = [f"{base}/{name}" for name in RECEIPTS]
        print(f"\n== serving {len(urls)} receipts on {base} (loopback only)")
        with Host(
            plan,
            operations=operations(urls, stored),
            data_dir=data_dir,
            cache_dir=args.cache_dir,
            progress=Progress(),
        ) as host:
            print("\n== running job `scan` of extension `receipts`")
            record = host.run_job("receipts", "scan", on_progress=show_progress)
            print(f"  job {record.id}: {record.state.value}: {record.error}")
            print(f"  last checkpoint: {(record.checkpoint or b'').decode()}")
            print(f"\n== resuming job {record.id} from its checkpoint")
            record = host.resume(record.id, on_progress=show_progress)
            print(f"  job {record.id}: {record.state.value} ({record.checkpoints} checkpoints)")
            print(f"  HTTP requests seen by the server: {', '.join(requests)}")

            print("\n== stored receipts")
            for r in stored:
                print(
                    f"  {r['date'] or '?':<10}  {r['merchant']:<16} {r['total_cents'] / 100:>7.2f}"
                )
            total = sum(r["total_cents"] for r in stored)
            print(f"  {'':<10}  {'total':<16} {total / 100:>7.2f}")

            print("\n== event receipts.summary")
            summary = json.dumps({"receipts": len(stored), "total_cents": total})
            for reply in host.emit("receipts.summary", summary):
                answer = reply.reply if reply.ok else f"error: {reply.error}"
                print(f"  {reply.extension}: {answer}")
    ok = record.state.value == "completed" and len(stored) == len(RECEIPTS)
    print("\ndemo finished" if ok else "\ndemo FAILED", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    try:
        raise SystemExit(main(sys.argv[1:]))
    except (WitlinkError, componentbuild.BuildError) as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(1) from None
