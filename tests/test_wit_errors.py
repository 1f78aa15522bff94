"""Located error messages: file, line, column, the source line and a caret."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from linker.errors import WitError
from linker.wit import load


def _error(tmp_path: Path, text: str, name: str = "x.wit") -> WitError:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(WitError) as info:
        load(path)
    return info.value


def test_syntax_error_names_expected_and_found(tmp_path: Path) -> None:
    err = _error(tmp_path, "package a:b;\n\ninterface i {\n  f: func(x: u32 -> u32;\n}\n")
    lines = str(err).splitlines()
    assert lines[0] == "expected ')' or ',', found `->`"
    assert lines[1] == f"     --> {tmp_path / 'x.wit'}:4:18"
    assert lines[3] == "    4 |   f: func(x: u32 -> u32;"
    assert lines[4] == "      |                  ^-"
    assert (err.line, err.column) == (4, 18)


def test_unknown_type_points_at_the_name(tmp_path: Path) -> None:
    err = _error(tmp_path, "package a:b;\ninterface i {\n  type t = list<nope>;\n}\n")
    lines = str(err).splitlines()
    assert lines[0] == "type `nope` does not exist"
    assert lines[3].endswith("type t = list<nope>;")
    assert lines[4] == "      |" + " " * 17 + "^---"
    assert (err.line, err.column) == (3, 17)


def test_keywords_are_reserved(tmp_path: Path) -> None:
    err = _error(tmp_path, "package a:b;\ninterface i {\n  type option = u32;\n}\n")
    assert str(err).startswith("expected an identifier or string, found keyword `option`")


def test_unexpected_character_and_eof(tmp_path: Path) -> None:
    assert str(_error(tmp_path, "package a:b;\n$")).startswith("unexpected character '$'")
    assert str(_error(tmp_path, "package a:b;\ninterface i {")).startswith(
        "expected an identifier or string"
    )


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    deep = "list<" * 5000 + "u8" + ">" * 5000
    err = _error(tmp_path, f"package a:b;\ninterface i {{\n  type t = {deep};\n}}\n")
    assert str(err).endswith(": type nesting too deep")  # a long line: `path:line:col: msg`


def test_missing_path_and_bad_utf8(tmp_path: Path) -> None:
    with pytest.raises(WitError):
        load(tmp_path / "missing.wit")
    (tmp_path / "bad.wit").write_bytes(b"package a:b;\xff")
    with pytest.raises(WitError, match="not valid utf-8"):
        load(tmp_path / "bad.wit")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "linker", "wit", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_prints_json(corpus: Path) -> None:
    case = corpus / "multi-file"
    proc = _cli(str(case), "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (corpus / "multi-file.wit.json").read_text().strip()


def test_cli_reports_located_error(corpus: Path) -> None:
    case = corpus / "parse-fail" / "keyword.wit"
    proc = _cli(str(case), "--json")
    assert proc.returncode == 1
    assert "keyword.wit:4:8" in proc.stderr
    assert "Traceback" not in proc.stderr
