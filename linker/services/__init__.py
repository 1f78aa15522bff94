"""Host services with no WebAssembly in them: outbound HTTP, job checkpoints, event routing.

`linker.host` wires them to the `witlink:host` interfaces; they are usable and testable alone.
"""
