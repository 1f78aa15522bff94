"""What world `witlink:host/extension@0.1.0` imports: one module per interface, each with a
`Host` protocol to implement and `add_to_linker(linker, impl)`.

- `host`
- `http`
- `job`
"""
