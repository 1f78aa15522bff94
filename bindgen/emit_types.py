"""The generated `types.py`: one class per WIT type and its converters."""

from __future__ import annotations

from bindgen.functions import FunctionWriter, is_method
from bindgen.names import Namespace, bracketed, docstring, lit, snake, upper
from bindgen.typemap import TypeMap
from linker.wit import model as m


class TypesWriter:
    """Writes `types.py` for the types a `TypeMap` covers."""

    def __init__(self, types: TypeMap) -> None:
        self.types = types
        self.funcs = FunctionWriter(types)
        self.out: list[str] = []

    def source(self, doc: str) -> str:
        self.out = docstring(doc, "")
        for tid in self.types.reachable:
            self._definition(tid)
        for tid in self.types.reachable:
            self._converters(tid)
        return "\n".join(self.out).rstrip() + "\n"

    def _block(self, *lines: str) -> None:
        self.out += ["", "", *lines]

    # ------------------------------------------------------------ definitions

    def _definition(self, tid: m.TypeId) -> None:
        td = self.types.resolve.type(tid)
        kind = td.kind
        docs = docstring(td.docs.contents, "    ")
        if tid in self.types.aliases:
            target = self.types.annotation(self.types.unalias(tid))
            self._block(*_alias(self.types.aliases[tid], [target]), *_bare(td.docs))
            return
        name = self.types.names.get(tid)
        if name is None:
            return
        if isinstance(kind, m.Record):
            self._record(name, kind, docs)
        elif isinstance(kind, m.Enum):
            members = [
                line
                for case in kind.cases
                for line in (f"{upper(case.name)} = {lit(case.name)}", *_bare(case.docs))
            ]
            self._block(f"class {name}(enum.Enum):", *_spaced(docs), *_indent(members))
        elif isinstance(kind, m.Flags):
            members = [
                line
                for i, flag in enumerate(kind.flags)
                for line in (f"{upper(flag.name)} = {1 << i}", *_bare(flag.docs))
            ]
            self._block(
                f"class {name}(enum.Flag):", *_spaced(docs), *(_indent(members) or ["    pass"])
            )
            table = [f"{lit(f.name)}: {1 << i}" for i, f in enumerate(kind.flags)]
            self._block(*bracketed(f"{self._flag_table(tid)} = {{", table, "}", ""))
        elif isinstance(kind, m.Variant):
            self._variant(tid, name, kind, td.docs)
        elif isinstance(kind, m.Resource):
            self._resource(tid, name, docs)
        else:
            self._block(*_alias(name, [self.types.structural(tid)]), *_bare(td.docs))

    def _record(self, name: str, kind: m.Record, docs: list[str]) -> None:
        ns = Namespace()
        body = []
        for field in kind.fields:
            py = ns.claim(snake(field.name), snake(field.name) + "_")
            body.append(f"{py}: {self.types.annotation(field.type)}")
            body += _bare(field.docs)
        if not body:
            self._block("@attrs.frozen", f"class {name}:", *(docs or ["    pass"]))
            return
        self._block("@attrs.frozen", f"class {name}:", *_spaced(docs), *_indent(body))

    def _variant(self, tid: m.TypeId, name: str, kind: m.Variant, docs: m.Docs) -> None:
        cases = []
        for case in kind.cases:
            case_name = self.types.case_names[(tid, case.name)]
            cases.append(case_name)
            case_docs = docstring(case.docs.contents, "    ")
            if not case_docs:
                case_docs = [f'    """Case `{case.name}` of `{name}`."""']
            tag = f"    CASE: ClassVar[str] = {lit(case.name)}"
            if case.type is None:
                self._block("@attrs.frozen", f"class {case_name}:", *case_docs, "", tag)
            else:
                value = f"    value: {self.types.annotation(case.type)}"
                self._block("@attrs.frozen", f"class {case_name}:", *case_docs, "", tag, value)
        self._block(*_alias(name, cases), *_bare(docs))

    def _resource(self, tid: m.TypeId, name: str, docs: list[str]) -> None:
        methods = self._resource_functions(tid)
        if tid not in self.types.exported_resources:
            body = [line for func in methods for line in ["", *self.funcs.protocol_method(func)]]
            if not body:
                self._block(f"class {name}(Protocol):", *(docs or ["    pass"]))
            else:
                self._block(f"class {name}(Protocol):", *docs, *(body if docs else body[1:]))
            table = self.types.table_name(tid)
            type_id = self.types.resource_type_id(tid)
            head = f"{table}: _rt.HandleTable[{name}] = _rt.HandleTable("
            self._block(*bracketed(head, [str(type_id)], ")", ""))
            return
        iface = self._owner_name(tid)
        default_docs = [f'    """A handle to a `{self.types.resolve.type(tid).name}` in wasm."""']
        lines = [f"class {name}(_rt.GuestResource):", *(docs or default_docs)]
        for func in methods:
            where = "None" if iface is None else lit(iface)
            call = f"self._scope.function({where}, {lit(func.name)})"
            lines += ["", *self.funcs.export_methods(func, call, "self._scope", "self._live()")]
        self._block(*lines)

    def _resource_functions(self, tid: m.TypeId) -> list[m.Function]:
        owner = self.types.resolve.type(tid).owner
        if isinstance(owner, m.OwnerInterface):
            functions = list(self.types.resolve.interface(owner.id).functions.values())
        else:
            world = self.types.world
            items = [*world.imports.values(), *world.exports.values()]
            functions = [item.function for item in items if isinstance(item, m.WorldFunction)]
        return [
            f
            for f in functions
            if is_method(f)
            and f.kind.resource is not None
            and self.types.unalias(f.kind.resource) == tid
        ]

    def _owner_name(self, tid: m.TypeId) -> str | None:
        owner = self.types.resolve.type(tid).owner
        if isinstance(owner, m.OwnerInterface):
            for name, iid, _ in self.types.world_interfaces():
                if iid == owner.id:
                    return name
        return None

    # ------------------------------------------------------------ converters

    def _converters(self, tid: m.TypeId) -> None:
        kind = self.types.resolve.type(tid).kind
        if isinstance(kind, m.Alias | m.Resource | m.List | m.FixedLengthList):
            return
        base = self.types.func_base(tid)
        cx = ", cx: _rt.Caller" if self.types.needs_cx(tid) else ""
        wit = self.types.wit(tid)
        lower = self._lower_body(tid, kind, wit)
        self._block(f"def _lower_{base}(v: object{cx}) -> Any:", *_indent(lower))
        if not self.types.lift_is_identity(tid):
            annotation = self.types.annotation(tid)
            lift = self._lift_body(tid, kind)
            self._block(f"def _lift_{base}(v: Any{cx}) -> {annotation}:", *_indent(lift))

    def _lower_body(self, tid: m.TypeId, kind: m.TypeDefKind, wit: str) -> list[str]:
        t = self.types
        name = t.annotation(tid)
        if isinstance(kind, m.Record):
            head = [
                f"if not isinstance(v, {name}):",
                f"    _rt.mismatch({lit(wit + ' (' + name + ')')}, v)",
            ]
            if not kind.fields:
                return [*head, "return _wc.Record()"]
            ns = Namespace()
            body = ["r = _wc.Record()", "d = r.__dict__", "try:"]
            for field in kind.fields:
                py = ns.claim(snake(field.name), snake(field.name) + "_")
                if len(kind.fields) > 1:
                    body.append(f"    where = {lit('.' + field.name)}")
                body.append(f"    d[{lit(field.name)}] = {t.lower(field.type, 'v.' + py)}")
            where = "where" if len(kind.fields) > 1 else lit("." + kind.fields[0].name)
            body += ["except _rt.Mismatch as err:", f"    raise _rt.at(err, {where}) from None"]
            return [*head, *body, "return r"]
        if isinstance(kind, m.Enum):
            return [
                f"if not isinstance(v, {name}):",
                f"    _rt.mismatch({lit(wit + ' (' + name + ')')}, v)",
                "return v.value",
            ]
        if isinstance(kind, m.Flags):
            return [
                f"if not isinstance(v, {name}):",
                f"    _rt.mismatch({lit(wit + ' (' + name + ')')}, v)",
                "bits = v.value",
                f"return {{n for n, b in {self._flag_table(tid)}.items() if bits & b}}",
            ]
        if isinstance(kind, m.Tuple):
            items = [t.lower(ty, f"t[{i}]") for i, ty in enumerate(kind.types)]
            body = [f"t = _rt.check_tuple(v, {len(kind.types)}, {lit(wit)})"]
            if not items:
                return [*body, "return ()"]
            body.append("try:")
            for i, item in enumerate(items):
                if len(items) > 1:
                    body.append(f'    where = "[{i}]"')
                body.append(f"    a{i} = {item}")
            where = "where" if len(items) > 1 else '"[0]"'
            body += ["except _rt.Mismatch as err:", f"    raise _rt.at(err, {where}) from None"]
            names = [f"a{i}" for i in range(len(items))]
            return [*body, f"return ({', '.join(names)}{',' if len(names) == 1 else ''})"]
        if isinstance(kind, m.Handle):
            return self._lower_handle(kind)
        if isinstance(kind, m.Variant):
            cases = [(self.types.case_names[(tid, c.name)], c.name, c.type) for c in kind.cases]
            return self._lower_cases(tid, cases, wit, name)
        if isinstance(kind, m.Option):
            return self._lower_option(tid, kind)
        if isinstance(kind, m.Result):
            cases = [("_rt.Ok", "ok", kind.ok), ("_rt.Err", "err", kind.err)]
            return self._lower_cases(tid, cases, wit, "Ok(...) or Err(...)")
        return [f"_rt.unsupported({lit(f'values of type `{wit}`')}, v)"]

    def _flag_table(self, tid: m.TypeId) -> str:
        """The name of the module-level `{wit name: bit}` table of flags `tid`."""
        return "_" + self.types.func_base(tid).upper() + "_BITS"

    def _lower_handle(self, kind: m.Handle) -> list[str]:
        resource = self.types.unalias(kind.resource)
        assert isinstance(resource, m.TypeId)
        name = self.types.annotation(resource)
        if resource in self.types.exported_resources:
            take = "_take" if kind.kind == m.HandleKind.OWN else "_live"
            return [
                f"if not isinstance(v, {name}):",
                f"    _rt.mismatch({lit(name)}, v)",
                f"return v.{take}()",
            ]
        verb = "own" if kind.kind == m.HandleKind.OWN else "borrow"
        return [f"return {self.types.table_name(resource)}.{verb}(v)"]

    def _lower_cases(
        self, tid: m.TypeId, cases: list[tuple[str, str, m.Type | None]], wit: str, expected: str
    ) -> list[str]:
        tagged = self.types.tagged(tid)
        body = ["try:"]
        earlier: set[str] = set()
        for cls, case, ty in cases:
            body.append(f"    if isinstance(v, {cls}):")
            payload = None if ty is None else self.types.lower(ty, "v.value")
            classes = self.types.classes(ty)
            if tagged:
                args = lit(case) if payload is None else f"{lit(case)}, {payload}"
                body.append(f"        return _wc.Variant({args})")
            elif "bool" in classes and "int" in earlier:
                # wasmtime-py picks an untagged case by isinstance: a bool would
                # go to the earlier integer case, so refuse instead of misrouting.
                what = f"case `{case}` of `{wit}` (a bool after an integer case)"
                body.append(f"        _rt.unsupported({lit(what)}, v)")
            else:
                body.append(f"        return {payload}")
            earlier |= classes
        body += [
            "except _rt.Mismatch as err:",
            '    raise _rt.at(err, ".value") from None',
            f"_rt.mismatch({lit(wit + ' (' + expected + ')')}, v)",
        ]
        return body

    def _lower_option(self, tid: m.TypeId, kind: m.Option) -> list[str]:
        tagged = self.types.tagged(tid)
        body = ["if v is None:", '    return _wc.Variant("none")' if tagged else "    return None"]
        if self.types.nullable(kind.type):
            body += [
                "if not isinstance(v, _rt.Some):",
                f"    _rt.mismatch({lit(self.types.wit(tid) + ' (Some(...) or None)')}, v)",
                "v = v.value",
            ]
        payload = self.types.lower(kind.type, "v")
        body.append(f'return _wc.Variant("some", {payload})' if tagged else f"return {payload}")
        return body

    def _lift_body(self, tid: m.TypeId, kind: m.TypeDefKind) -> list[str]:
        t = self.types
        name = t.annotation(tid)
        if isinstance(kind, m.Record):
            fields = [t.lift(f.type, f"d[{lit(f.name)}]") for f in kind.fields]
            made = bracketed(f"return {name}(", fields, ")", "")
            return [*(["d = v.__dict__"] if kind.fields else []), *made]
        if isinstance(kind, m.Enum):
            return [f"return {name}(v)"]
        if isinstance(kind, m.Flags):
            return [f"return {name}(sum({self._flag_table(tid)}[n] for n in v))"]
        if isinstance(kind, m.Tuple):
            items = ", ".join(t.lift(ty, f"v[{i}]") for i, ty in enumerate(kind.types))
            return [f"return ({items}{',' if len(kind.types) == 1 else ''})"]
        if isinstance(kind, m.Handle):
            resource = t.unalias(kind.resource)
            assert isinstance(resource, m.TypeId)
            if resource in t.exported_resources:
                return [f"return {t.annotation(resource)}(cx, v)"]
            return [f"return {t.table_name(resource)}.get(cx.store, v)"]
        if isinstance(kind, m.Variant):
            cases = [(t.case_names[(tid, c.name)], c.name, c.type) for c in kind.cases]
            return self._lift_cases(tid, cases)
        if isinstance(kind, m.Option):
            some = t.lift(kind.type, "v")
            if t.nullable(kind.type):
                some = f"_rt.Some({some})"
            head = ['if v.tag == "none":', "    return None", "v = v.payload"]
            if not t.tagged(tid):
                head = ["if v is None:", "    return None"]
            if t.lift_is_identity(kind.type) and not t.nullable(kind.type):
                return [*head, f"out: {t.annotation(kind.type)} = {some}", "return out"]
            return [*head, f"return {some}"]
        if isinstance(kind, m.Result):
            cases = [("_rt.Ok", "ok", kind.ok), ("_rt.Err", "err", kind.err)]
            return self._lift_cases(tid, cases)
        return [f"_rt.unsupported({lit(f'values of type `{t.wit(tid)}`')}, v)"]

    def _lift_cases(self, tid: m.TypeId, cases: list[tuple[str, str, m.Type | None]]) -> list[str]:
        tagged = self.types.tagged(tid)
        body = ["tag = v.tag"] if tagged else []
        if tagged and any(ty is not None for _, _, ty in cases):
            body.append("payload = v.payload")
        for index, (cls, case, ty) in enumerate(cases):
            source = "payload" if tagged else "v"
            made = f"{cls}(None)" if ty is None and cls.startswith("_rt.") else f"{cls}()"
            if ty is not None:
                made = f"{cls}({self.types.lift(ty, source)})"
            if index == len(cases) - 1:
                body.append(f"return {made}")
                break
            test = (
                f"tag == {lit(case)}"
                if tagged
                else self.types.class_test(self.types.classes(ty), "v")
            )
            body += [f"if {test}:", f"    return {made}"]
        return body


def _alias(name: str, union: list[str]) -> list[str]:
    """`name: TypeAlias = A | B`, split over lines as ruff formats a long one."""
    line = f"{name}: TypeAlias = {' | '.join(union)}"
    if len(line) <= 100:
        return [line]
    inner = "    " + " | ".join(union)
    if len(inner) <= 100:
        return [f"{name}: TypeAlias = (", inner, ")"]
    return [f"{name}: TypeAlias = (", f"    {union[0]}", *(f"    | {u}" for u in union[1:]), ")"]


def _spaced(docs: list[str]) -> list[str]:
    return [*docs, ""] if docs else []


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line if line else line for line in lines]


def _bare(docs: m.Docs, indent: str = "") -> list[str]:
    """Docs as a bare string literal after the item (attribute docstring)."""
    return docstring(docs.contents, indent)
