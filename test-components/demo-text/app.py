"""Demo extension `text`: exports `demo:text/lib`, plain-text analysis for other extensions."""

import re

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports import lib
from wit_world.imports import host, types

_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_TOTAL = re.compile(r"^\s*total\b\D*(\d+)(?:[.,](\d{1,2}))?", re.IGNORECASE | re.MULTILINE)


class Lib(exports.Lib):  # type: ignore[misc]
    def extract(self, document: str) -> lib.ReceiptFields:
        lines = [line.strip() for line in document.splitlines() if line.strip()]
        total = _TOTAL.search(document)
        if not lines or total is None:
            raise Err("no TOTAL line: not a receipt")
        cents = int(total.group(1)) * 100 + int((total.group(2) or "0").ljust(2, "0"))
        date = _DATE.search(document)
        host.log(types.Level.DEBUG, f"extracted {lines[0]!r}")
        return lib.ReceiptFields(lines[0].title(), cents, date.group(1) if date else None)

    def word_count(self, document: str) -> int:
        return len(document.split())
