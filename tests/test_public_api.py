"""The top-level package's API: `linker.Host`, and failure types told apart by `code`."""

from __future__ import annotations

import linker
import linker.errors
import linker.host


def test_host_is_importable_from_the_top_level_package() -> None:
    assert linker.Host is linker.host.Host
    assert {"runtime", "current_export"}.isdisjoint(dir(linker.Host))  # internals stay inside


def test_every_failure_type_has_its_own_stable_code() -> None:
    types = [
        t
        for t in vars(linker.errors).values()
        if isinstance(t, type) and issubclass(t, linker.errors.ExtensionError)
    ]
    codes = [t.code for t in types]
    assert len(types) >= 12 and len(set(codes)) == len(codes)
    assert all(getattr(linker, t.__name__) is t for t in types)  # all public from `linker`
    assert linker.ExtensionTimeout.code == "timeout"
    assert issubclass(linker.ExtensionTimeout, linker.ExtensionTrap)
