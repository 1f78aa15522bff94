"""A guest's WASI stdout/stderr into its extension's log, with no Python on wasmtime's threads.

wasmtime writes WASI output from its own (tokio) threads, and may do so after the call
that printed has returned. A Python callback there can be entered while the interpreter
shuts down; Python then ends that thread with `pthread_exit`, which cannot unwind through
Rust, and the process aborts ("panic in a function that cannot unwind"). So the output
callback is libc's `write` into a pipe and its finalizer libc's `close`; one daemon thread
reads every pipe and logs complete lines.
"""

from __future__ import annotations

import ctypes
import logging
import os
import selectors
import threading

from wasmtime import WasiConfig
from wasmtime import _ffi as ffi

_libc = ctypes.CDLL(None, use_errno=True)
_Output = ctypes.CFUNCTYPE(
    ctypes.c_ssize_t, ctypes.c_void_p, ctypes.POINTER(ctypes.c_ubyte), ctypes.c_size_t
)
_Finalizer = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
_WRITE = _Output(("write", _libc))
"""`write(fd, buf, len)`: the stream's data pointer is the pipe's write end."""
_CLOSE = _Finalizer(("close", _libc))
"""`close(fd)`: wasmtime drops the stream, the reader sees the end of the pipe."""


class _Reader:
    """The thread that reads every guest output pipe and logs its lines."""

    def __init__(self) -> None:
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def pipe(self, log: logging.Logger, level: int) -> int:
        """A new pipe whose lines go to `log` at `level`; returns its write end."""
        read, write = os.pipe()
        os.set_blocking(read, False)
        with self._lock:
            self._selector.register(read, selectors.EVENT_READ, (log, level, bytearray()))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="witlink-guest-output", daemon=True
                )
                self._thread.start()
        return write

    def drain(self) -> None:
        """Read and log whatever the pipes hold now (the ends of closed ones too)."""
        while self._read_ready(0):
            pass

    def _run(self) -> None:
        while True:
            self._read_ready(0.5)

    def _read_ready(self, timeout: float) -> bool:
        ready = self._selector.select(timeout)
        with self._lock:
            for key, _ in ready:
                if key.fd in self._selector.get_map():
                    self._read(key)
        return bool(ready)

    def _read(self, key: selectors.SelectorKey) -> None:
        log, level, pending = key.data
        try:
            data = os.read(key.fd, 65536)
        except BlockingIOError:
            return
        if data:
            pending += data
            *lines, rest = pending.split(b"\n")
            pending[:] = rest
        else:  # the write end is closed: the store that wrote is gone
            lines = [bytes(pending)]
            self._selector.unregister(key.fd)
            os.close(key.fd)
        for line in lines:
            text = line.decode(errors="replace").rstrip("\r")
            if text.strip():
                log.log(level, text)


_reader = _Reader()


def wasi_config(log: logging.Logger) -> WasiConfig:
    """A WASI configuration whose stdout goes to `log` at INFO and stderr at WARNING."""
    wasi = WasiConfig()
    for setter, level in (
        (ffi.wasi_config_set_stdout_custom, logging.INFO),
        (ffi.wasi_config_set_stderr_custom, logging.WARNING),
    ):
        fd = _reader.pipe(log, level)
        setter(wasi.ptr(), _WRITE, ctypes.c_void_p(fd), _CLOSE)
    return wasi


def flush() -> None:
    """Log what guests have written so far, the last lines of dropped stores included."""
    _reader.drain()
