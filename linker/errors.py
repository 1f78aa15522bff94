"""The project-wide error base and its subclasses.

Every error a user can cause is a `WitlinkError`; each subclass carries what a
person needs to act on it (a source location, an extension id, an import).
"""

from __future__ import annotations

from typing import ClassVar

import attrs


class WitlinkError(Exception):
    """Base of every error witlink raises on bad input or a failing extension."""


class WitError(WitlinkError):
    """Invalid WIT: a syntax error, an unresolved name, a cycle, a bad package.

    `path`, `line` and `column` locate the problem when it has a place in a
    source file (1-based line and column); the message already shows them.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.column = column


class ExtensionError(WitlinkError):
    """A call into an extension, or a lifecycle step, that cannot be done.

    `extension` is the id of the extension concerned; the message says what to do.
    `code` names the cause (stable across releases; each subclass has its own), so callers
    tell causes apart without reading the message.
    """

    code: ClassVar[str] = "extension"

    def __init__(self, message: str, *, extension: str) -> None:
        super().__init__(message)
        self.extension = extension


class ExtensionTrap(ExtensionError):
    """An extension trapped (or ran out of time or memory) while running `function`.

    `backtrace` is wasmtime's wasm backtrace; `provider` is set when the trap
    happened in another extension that `extension` was calling.
    """

    code: ClassVar[str] = "trap"

    def __init__(
        self,
        message: str,
        *,
        extension: str,
        function: str,
        backtrace: str = "",
        provider: str | None = None,
    ) -> None:
        super().__init__(message, extension=extension)
        self.function = function
        self.backtrace = backtrace
        self.provider = provider


class CallCancelled(ExtensionError):
    """A call stopped because its caller cancelled it (an asyncio task's cancellation);
    the extension is not at fault and stays usable."""

    code: ClassVar[str] = "cancelled"


class ExtensionTimeout(ExtensionTrap):
    """A call ran longer than the host's call timeout and was interrupted."""

    code: ClassVar[str] = "timeout"


class IntegrityError(ExtensionError):
    """An extension's component bytes do not hash to the sha256 its plan records."""

    code: ClassVar[str] = "integrity"


class QuarantinedError(ExtensionError):
    """The extension faulted too often in a row; `Host.reload` lets it run again."""

    code: ClassVar[str] = "quarantined"


class NotLoadedError(ExtensionError):
    """The extension is unloaded (it failed to load, or was unloaded); `Host.load` it."""

    code: ClassVar[str] = "not-loaded"


class UnknownExtensionError(ExtensionError):
    """The plan or host has no extension of that id."""

    code: ClassVar[str] = "unknown-extension"


class UnknownExportError(ExtensionError):
    """The extension has no function export of that name (or an unversioned name fits
    several versions)."""

    code: ClassVar[str] = "unknown-export"


class ArgumentError(ExtensionError):
    """An argument of `Host.call` does not fit the function's WIT type: `path` locates it
    (`items[3].id`), `expected` is the WIT type there; for a wrong number of arguments,
    `path` is empty and `expected` says how many."""

    code: ClassVar[str] = "argument-mismatch"

    def __init__(
        self, message: str, *, extension: str, function: str, path: str, expected: str
    ) -> None:
        super().__init__(message, extension=extension)
        self.function = function
        self.path = path
        self.expected = expected


class HandleError(ExtensionError):
    """A resource handle used after its drop, with another extension, or after the
    extension that made it was reloaded or restarted."""

    code: ClassVar[str] = "stale-handle"


class CallRefused(ExtensionError):
    """A call that would re-enter a running extension, deadlock, or wait too long for it."""

    code: ClassVar[str] = "call-refused"


class StartError(ExtensionError):
    """The extension could not be instantiated, or its `init` returned an error."""

    code: ClassVar[str] = "start-failed"


class ReloadRefused(ExtensionError):
    """`Host.reload` refused a component that would break a loaded consumer's imports."""

    code: ClassVar[str] = "reload-refused"


class PlanError(WitlinkError):
    """A plan that cannot be read, does not match schema 1, or breaks an invariant."""


class InputError(WitlinkError):
    """An input path that does not exist or cannot be read at all (the CLI exits 2)."""


@attrs.frozen
class Diagnostic:
    """One problem found while linking: a stable code, where, what, and what to do."""

    code: str
    """Stable across releases, e.g. `W001-missing-provider`."""
    extension: str
    """The extension id (or the input path when there is no id yet)."""
    message: str
    import_: str | None = None
    """The import concerned, as written in the component, if any."""
    hint: str = ""
    """What to do, with the closest candidates when nothing matches."""

    def __str__(self) -> str:
        where = self.extension if self.import_ is None else f"{self.extension}: {self.import_}"
        text = f"{self.code}: {where}: {self.message}"
        return f"{text}\n  hint: {self.hint}" if self.hint else text


class LinkError(WitlinkError):
    """The link step failed; `diagnostics` lists every problem found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        count = len(self.diagnostics)
        head = f"link failed with {count} problem{'s' if count != 1 else ''}"
        super().__init__("\n".join([head, *(str(d) for d in self.diagnostics)]))
