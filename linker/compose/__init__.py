"""Composed mode: an extension fused with its `*/lib` providers into one component.

```python
wasm = linker.compose(plan, "app")                     # bytes of one validated component
plan = composed_plan(plan, ["app"], Path("build/composed"))   # run `app` composed
```

Calls between the members are plain wasm-to-wasm calls through the component model's
adapters (no host transition). The composite has one store: its members share its memory
limit, faults and quarantine, and their host calls are checked against the extension's
permissions; provider state inside it is private to it.
"""

from linker.compose.build import compose, composed_plan
from linker.compose.members import ComposeError

__all__ = ["ComposeError", "compose", "composed_plan"]
