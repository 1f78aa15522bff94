"""Which export a caller means: interface names resolved as the link step resolves them.

`Host.call`, typed clients (`Host.bind`) and `witlink run` name a function `iface#func` or
a world function. The interface is found by its exact name, else the highest version the
component exports on the same semver track (`linker.wit.semver`), else, for a name given
without a version, the one version the component exports.
"""

from __future__ import annotations

from collections.abc import Collection

from linker.errors import UnknownExportError
from linker.wit.semver import on_track, parse


def export_target(ext_id: str, name: str, interfaces: Collection[str]) -> str:
    """The export `name` refers to among the component's export names `interfaces`.

    Returns `name` unchanged when nothing fits (the caller reports the missing export);
    raises `UnknownExportError` when an unversioned name fits several versions.
    """
    iface, hash_, func = name.rpartition("#")
    if not hash_:
        return name
    found = on_track(iface, interfaces)
    if found is None and "@" not in iface:
        versions = sorted(n for n in interfaces if (p := parse(n)) and p.base == iface)
        if len(versions) > 1:
            raise UnknownExportError(
                f"extension `{ext_id}`: `{name}` is ambiguous, it exports "
                f"{', '.join(versions)}; name the version (`{versions[-1]}#{func}`)",
                extension=ext_id,
            )
        found = versions[0] if versions else None
    return f"{found}#{func}" if found is not None else name
