"""The project-wide error base and its subclasses.

Every error a user can cause is a `WitlinkError`; each subclass carries what a
person needs to act on it (a source location, an extension id, an import).
"""

from __future__ import annotations


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
    """

    def __init__(self, message: str, *, extension: str) -> None:
        super().__init__(message)
        self.extension = extension


class ExtensionTrap(ExtensionError):
    """An extension trapped (or ran out of time or memory) while running `function`.

    `backtrace` is wasmtime's wasm backtrace; `provider` is set when the trap
    happened in another extension that `extension` was calling.
    """

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
