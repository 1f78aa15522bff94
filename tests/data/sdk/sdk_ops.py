"""Host operations with typed payloads and results, for the SDK guests' tests."""

from __future__ import annotations

import dataclasses
from typing import NotRequired, TypedDict

from linker.host import OperationContext, Operations

ops = Operations()


class ListFiles(TypedDict):
    dir: str
    pattern: NotRequired[str]


@dataclasses.dataclass
class Entry:
    name: str
    size: int


@dataclasses.dataclass
class Pair:
    a: int
    b: int


@ops.operation("files.list")
def list_files(ctx: OperationContext, payload: ListFiles) -> list[Entry]:
    """The files of a folder."""
    suffix = payload.get("pattern", "*").lstrip("*")
    return [Entry(f"{payload['dir']}/a{suffix or '.txt'}", 3)]


@ops.operation("math.add")
def add(ctx: OperationContext, payload: Pair) -> int:
    """`a + b`."""
    return payload.a + payload.b


@ops.operation("secrets.read")
def read_secret(ctx: OperationContext, payload: str) -> str:
    """A secret the guests may not read."""
    return "hunter2"
