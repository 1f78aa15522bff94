"""Compiled components, serialized to a cache folder.

An entry is named by the component's sha256 and the engine fingerprint (wasmtime version
and settings): `<sha256>-<fingerprint>.cwasm`, with the sha256 of its bytes beside it in
`.cwasm.sha256`, so a corrupt or truncated entry is detected before wasmtime sees it; such
an entry, or one that wasmtime refuses (stale), is compiled again and rewritten, never
trusted. A verified entry is memory-mapped by wasmtime (`deserialize_file`), not copied.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from wasmtime import Engine, WasmtimeError
from wasmtime.component import Component

from linker.errors import ExtensionError
from linker.host.engine import fingerprint

log = logging.getLogger("witlink.host.cache")

CompileProgress = Callable[[str, str, int], None]
"""Called as `(extension_id, "start" | "done", size_in_bytes)` around a cold compile."""


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "witlink" / "compiled"


class CompileCache:
    def __init__(self, engine: Engine, folder: Path | None = None) -> None:
        self.engine = engine
        self.folder = folder if folder is not None else default_cache_dir()
        self._key = fingerprint()

    def entry(self, sha256: str) -> Path:
        return self.folder / f"{sha256}-{self._key}.cwasm"

    def load(
        self, ext_id: str, wasm: bytes, sha256: str, progress: CompileProgress | None = None
    ) -> Component:
        """The compiled `wasm` (whose digest is `sha256`), from the cache or compiled now."""
        path = self.entry(sha256)
        cached = self._read(path)
        if cached is not None:
            return cached
        if progress is not None:
            progress(ext_id, "start", len(wasm))
        try:
            component = Component(self.engine, wasm)
        except WasmtimeError as err:
            raise ExtensionError(
                f"extension `{ext_id}`: not a valid component: {str(err).splitlines()[0]}",
                extension=ext_id,
            ) from None
        finally:
            if progress is not None:
                progress(ext_id, "done", len(wasm))
        self._write(path, bytes(component.serialize()))
        return component

    def _read(self, path: Path) -> Component | None:
        try:
            expected = path.with_suffix(".cwasm.sha256").read_text(encoding="ascii").strip()
            with path.open("rb") as entry:
                actual = hashlib.file_digest(entry, "sha256").hexdigest()
        except (OSError, UnicodeDecodeError):
            return None
        if actual != expected:
            log.warning("compile cache entry %s is corrupt; compiling again", path)
            return None
        try:
            return Component.deserialize_file(self.engine, str(path))
        except WasmtimeError as err:
            log.warning("compile cache entry %s is stale (%s); compiling again", path, err)
            return None

    def _write(self, path: Path, body: bytes) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for target, data in (
                (path, body),
                (path.with_suffix(".cwasm.sha256"), hashlib.sha256(body).hexdigest().encode()),
            ):
                with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as tmp:
                    tmp.write(data)
                os.replace(tmp.name, target)
        except OSError as err:
            log.warning("cannot write compile cache entry %s: %s", path, err)
