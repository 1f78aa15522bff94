"""The audit log on its own: bounded in memory, mirrored to JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linker.errors import WitlinkError
from linker.services.audit import MAX_TEXT, AuditLog


def test_bounded_and_mirrored(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "audit.jsonl"
    log = AuditLog(path, capacity=3)
    for i in range(5):
        log.record("ext", ("caller",), "operation", f"m{i}", "denied", "x" * (MAX_TEXT + i))
    log.close()
    kept = log.entries()
    assert [e.subject for e in kept] == ["m2", "m3", "m4"]  # the latest 3 only
    assert all(len(str(e.detail)) == MAX_TEXT + 3 for e in kept)  # cut, with "..."
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["subject"] for line in lines] == ["m0", "m1", "m2", "m3", "m4"]  # all of them
    assert lines[-1] == kept[-1].to_json() and lines[-1]["chain"] == ["caller"]


def test_unwritable_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(WitlinkError, match=r"cannot open the audit log .*pass a writable path"):
        AuditLog(tmp_path / "file" / "audit.jsonl")
