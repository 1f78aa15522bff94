"""Extension authoring: `new` folders, `build` with the right toolchain, lib WIT taken from
providers' components, and typed guest SDKs for a host's operations."""
