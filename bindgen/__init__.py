"""Generated, typed Python shims between Python values and the component model.

`generate(resolve, world)` returns the sources of a Python package for one WIT
world; `witlink bindgen` writes them to disk. The generated code converts
through wasmtime-py's component API using `bindgen.runtime`.
"""

from bindgen.generate import find_world, generate, package_name

__all__ = ["find_world", "generate", "package_name"]
