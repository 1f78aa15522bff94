"""Running a plan on a Ray cluster: `RayHost` (needs the optional extra `witlink[ray]`).

Import this package before `ray.init()`: it turns off Ray's failure signal handler
(`RAY_DISABLE_FAILURE_SIGNAL_HANDLER`), which would otherwise replace the SIGSEGV/SIGFPE
handlers wasmtime uses to turn wasm faults into traps, so that a trap in a `Host` of the
same process (one made before `ray.init`) would kill the process instead of raising.
"""

import os

os.environ.setdefault("RAY_DISABLE_FAILURE_SIGNAL_HANDLER", "1")

from linker.ray.host import RayHost  # after the setting, which Ray reads at init

__all__ = ["RayHost"]
