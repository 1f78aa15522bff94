"""A `lib` provider that uses its own host permissions on behalf of whoever calls it."""

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import host, http


class Lib(exports.Lib):
    def op(self, method: str) -> str:
        try:
            return host.call(method, None, "{}")
        except Err as err:
            kind = type(err.value).__name__.removeprefix("CallError_").lower()
            return f"{kind}: {err.value.value}"

    def fetch(self, url: str) -> str:
        try:
            response = http.fetch(http.Request("GET", url, [], None))
        except Err as err:
            kind = type(err.value).__name__.removeprefix("HttpError_").lower()
            return f"{kind}: {getattr(err.value, 'value', '')}"
        return f"{response.status} {response.body.decode(errors='replace')}"
