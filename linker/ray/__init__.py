"""Running a plan on a Ray cluster: `RayHost` (needs the optional extra `witlink[ray]`)."""

from linker.ray.host import RayHost

__all__ = ["RayHost"]
