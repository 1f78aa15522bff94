"""Demo extension `receipts`: a checkpointed job that reads receipts over HTTP.

`scan` asks the host for the receipt URLs, fetches each through `http.fetch`, has the
`text` extension's `demo:text/lib` extract its fields, stores them through the host
operation `receipts.store`, and checkpoints after every receipt so a resumed job
starts at the first receipt not yet stored.
"""

import json

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import host, http, job, lib, types


class Guest(exports.Guest):  # type: ignore[misc]
    def init(self) -> None:
        host.log(types.Level.INFO, "receipts extension ready")

    def run_job(self, name: str, state: bytes | None) -> None:
        if name != "scan":
            raise Err(f"unknown job {name!r}: this extension runs `scan`")
        done = json.loads(state)["done"] if state else 0
        sources = json.loads(host.call("receipts.sources", None, "{}"))
        for index in range(done, len(sources)):
            if job.is_interrupted():
                host.log(types.Level.WARN, f"interrupted before receipt {index + 1}")
                return
            url = sources[index]
            try:
                response = http.fetch(http.Request("GET", url, [], None))
            except Err as err:
                raise Err(f"fetching {url}: {err.value}") from None
            if response.status != 200:
                raise Err(f"fetching {url}: HTTP {response.status}")
            try:
                fields = lib.extract(response.body.decode("utf-8"))
            except Err as err:
                raise Err(f"{url}: {err.value}") from None
            record = {
                "url": url,
                "merchant": fields.merchant,
                "total_cents": fields.total_cents,
                "date": fields.date,
            }
            host.call("receipts.store", None, json.dumps(record))
            job.checkpoint(json.dumps({"done": index + 1}).encode())
            job.report_progress(
                index + 1, len(sources), f"{fields.merchant} {fields.total_cents / 100:.2f}"
            )

    def on_event(self, topic: str, payload: str) -> str | None:
        if topic == "receipts.summary":
            return json.dumps({"extension": "receipts", "payload": json.loads(payload)})
        return None
