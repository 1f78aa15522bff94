"""Hand-written WIT covering syntax corners, checked against wasm-tools' own parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from linker.tools import run_wasm_tools
from linker.wit import load, to_json

SNIPPETS = {
    "docs": """
/// package docs
package a:docs;

/**
 * Block docs,
 *   indented.
 */
interface i {
    ///   three
    ///    spaces
    //  plain comments count too
    f: func();
    /* nested /* comments */ are fine */
    record r {
        /// a field
        x: u32,
    }
}
""",
    "versions": """
package a:versions@1.2.3-rc.1+build.5;

interface j {
    use b:dep/i@0.1.0-alpha.{t};
    use b:dep/i@0.1.0-alpha.{t as u};
}

world w {
    import b:dep/i@0.1.0-alpha;
    export j;
}

package b:dep@0.1.0-alpha {
    interface i {
        type t = u8;
    }
}
""",
    "explicit-ids": """
package a:%interface;

interface %world {
    %type: func(%list: list<u8, 4>) -> option<%string>;
    type %string = string;
}
""",
    "worlds": """
package a:worlds;

interface types {
    resource res {
        constructor(x: u32);
        get: func() -> u32;
        make: static async func() -> res;
    }
    type pair = tuple<u32, string>;
}

interface uses {
    use types.{res, pair};
    take: func(r: borrow<res>, p: pair) -> result<_, string>;
}

world base {
    import uses;
    import f: func() -> stream<future<u8>>;
    export run: async func(m: map<string, list<u8>>) -> result<u32>;
}

world grown {
    include base with { f as g, run as go }
    import labelled: types;
    export inline: interface {
        h: func() -> error-context;
    }
}
""",
    "gates": """
package a:gates@2.0.0;

@since(version = 1.0.0)
interface stable {
    @unstable(feature = shiny)
    type t = u32;
    @since(version = 2.0.0)
    @deprecated(version = 2.0.0)
    f: func();
}

world w {
    @unstable(feature = shiny)
    import stable;
    @since(version = 1.5.0)
    export g: func();
}
""",
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_snippet_json_matches_wasm_tools(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.wit"
    path.write_text(SNIPPETS[name])
    expected = run_wasm_tools("component", "wit", "--json", "--all-features", str(path))
    assert to_json(load(path, all_features=True)) == expected.decode().strip()


def test_features_select_unstable_items(tmp_path: Path) -> None:
    path = tmp_path / "gates.wit"
    path.write_text(SNIPPETS["gates"])
    without = load(path)
    assert "t" not in without.interfaces[0].types
    assert "t" in load(path, features=["shiny"]).interfaces[0].types
