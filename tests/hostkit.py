"""Plans for the host tests, built directly from test components (the plan is the contract)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from linker.manifest import Permissions, RateLimits
from linker.plan.model import Binding, FunctionRef, Plan, PlannedExtension, PlannedImport

CALC = "acme:calc/lib@1.0.0"
TEXT = "acme:text/lib@1.0.0"
HOST = "witlink:host/host@0.1.0"
CALC_FUNCS = ("add", "div", "spin", "bomb", "recurse")

Build = Callable[[str], Path]


def planned(
    ext_id: str,
    wasm: Path,
    imports: Iterable[tuple[str, str]] = (),
    exports: Sequence[str] = (),
    permissions: Permissions | None = None,
) -> PlannedExtension:
    data = wasm.read_bytes()
    return PlannedExtension(
        id=ext_id,
        component=wasm,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        imports=tuple(PlannedImport(name, provider) for name, provider in imports),
        exports=tuple(exports),
        permissions=permissions or Permissions(),
    )


def wire(
    consumer: str, iface: str, provider: str, funcs: Sequence[str]
) -> tuple[Binding, list[FunctionRef]]:
    refs = [FunctionRef(consumer, iface, f, provider, iface, "") for f in funcs]
    return Binding(consumer, iface, provider, iface), refs


def calc_plan(build: Build, consumers: Sequence[str] = ("app",)) -> Plan:
    """`calc` (WAT provider of acme:calc/lib) and WAT consumers of it."""
    exts = [
        planned(
            "calc",
            build("host-calc-provider"),
            exports=[CALC],
            permissions=Permissions(max_memory_mb=4),
        )
    ]
    bindings, functions = [], []
    for consumer in consumers:
        exts.append(planned(consumer, build("host-calc-consumer"), [(CALC, "calc")]))
        binding, refs = wire(consumer, CALC, "calc", CALC_FUNCS)
        bindings.append(binding)
        functions.extend(refs)
    return Plan(tuple(exts), tuple(e.id for e in exts), tuple(bindings), tuple(functions))


PY_EXT_PERMISSIONS = Permissions(
    methods=("files.", "ext.", "echo", "again"),
    libraries=("lib-1",),
    max_memory_mb=128,
    rate_limits=RateLimits(requests_per_minute=600),
)


def full_plan(build: Build, py_ext_permissions: Permissions = PY_EXT_PERMISSIONS) -> Plan:
    """calc + app (WAT), py-ext (Python, uses calc and host operations), py-text (Python lib)
    with its WAT consumer `counter`."""
    calc = calc_plan(build)
    py_ext = planned(
        "py-ext",
        build("host-py-ext"),
        [(CALC, "calc"), (HOST, "host"), ("witlink:host/types@0.1.0", "host")],
        permissions=py_ext_permissions,
    )
    text = planned("py-text", build("host-py-text"), exports=[TEXT])
    counter = planned("counter", build("host-text-consumer"), [(TEXT, "py-text")])
    b1, r1 = wire("py-ext", CALC, "calc", CALC_FUNCS)
    b2, r2 = wire("counter", TEXT, "py-text", ("count", "shout"))
    return Plan(
        (*calc.extensions, py_ext, text, counter),
        (*calc.order, "py-ext", "py-text", "counter"),
        (*calc.bindings, b1, b2),
        (*calc.functions, *r1, *r2),
    )


VALUES_LIB = "witlink:values-echo/lib@0.1.0"


def values_plan(build: Build) -> Plan:
    """`echo` and `echo2` (the componentize-py values-echo guest), `bench` (values-bench, WAT)."""
    echo_wasm = build("values-echo")
    exts = (
        planned("echo", echo_wasm, exports=[VALUES_LIB]),
        planned("echo2", echo_wasm, exports=[VALUES_LIB]),
        planned("bench", build("values-bench")),
    )
    return Plan(exts, tuple(e.id for e in exts), (), ())


def main(argv: list[str]) -> int:
    """`python tests/hostkit.py [PLAN.json [VALUES-PLAN.json]]`: build the host test
    components, write their plan (and the plan of the value-mapping components)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "test-components"))
    import componentbuild

    out = Path(argv[0]) if argv else Path("build/host-plan.json")
    full_plan(componentbuild.component).save(out)
    print(out)
    if len(argv) > 1:
        values_plan(componentbuild.component).save(Path(argv[1]))
        print(argv[1])
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
