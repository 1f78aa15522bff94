"""The toolchains `witlink build` drives: finding them, and installing componentize-js.

componentize-py comes with witlink's dev extra (or `pip install componentize-py`);
wasm-tools with witlink itself; componentize-js is an npm package, installed on demand
into `$WITLINK_TOOLS_DIR` (default `~/.cache/witlink/tools`) with Node.js's npm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path

from linker.tools import ToolError

COMPONENTIZE_JS = "@bytecodealliance/componentize-js"
COMPONENTIZE_JS_VERSION = "0.23.0"


def tools_dir() -> Path:
    """Where witlink installs the tools it fetches itself."""
    explicit = os.environ.get("WITLINK_TOOLS_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "witlink" / "tools"


def _js_home() -> Path:
    return tools_dir() / f"componentize-js-{COMPONENTIZE_JS_VERSION}"


def componentize_py() -> str:
    beside = Path(sysconfig.get_path("scripts")) / "componentize-py"
    found = str(beside) if beside.exists() else shutil.which("componentize-py")
    if found is None:
        raise ToolError(
            "`componentize-py` not found: it builds Python extensions; install it with "
            "`pip install componentize-py` (witlink's dev extra has it)"
        )
    return found


def _node_missing() -> str | None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if not missing:
        return None
    return (
        f"{' and '.join(missing)} not found: componentize-js needs Node.js 20 or later with npm; "
        "install it from https://nodejs.org or your package manager (`apt install nodejs npm`)"
    )


def _js_cli() -> Path:
    return _js_home() / "node_modules" / COMPONENTIZE_JS / "src" / "cli.js"


def componentize_js_installed() -> bool:
    return _js_cli().exists()


def componentize_js_home() -> Path:
    """Where `--install-tools` puts componentize-js."""
    return _js_home()


def componentize_js() -> list[str]:
    """The command that runs componentize-js; `ToolError` saying how to get it if absent."""
    script = _js_cli()
    node_problem = _node_missing()
    if node_problem is not None:
        raise ToolError(node_problem)
    if script.exists():
        return [str(shutil.which("node")), str(script)]
    raise ToolError(
        f"componentize-js is not installed: run the build again with `--install-tools` to "
        f"install {COMPONENTIZE_JS}@{COMPONENTIZE_JS_VERSION} with npm into {_js_home()} "
        "(about 30 s, once)"
    )


def install_componentize_js() -> Path:
    """Install componentize-js into the tools folder (once; concurrent installs are safe)."""
    home = _js_home()
    if (home / "node_modules" / COMPONENTIZE_JS).is_dir():
        return home
    node_problem = _node_missing()
    if node_problem is not None:
        raise ToolError(node_problem)
    home.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home.parent, prefix=".install-") as tmp:
        proc = subprocess.run(
            [
                str(shutil.which("npm")),
                "install",
                "--prefix",
                tmp,
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                f"{COMPONENTIZE_JS}@{COMPONENTIZE_JS_VERSION}",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            raise ToolError(
                f"npm install {COMPONENTIZE_JS}@{COMPONENTIZE_JS_VERSION} failed "
                f"(exit {proc.returncode}):\n{proc.stdout}{proc.stderr}"
            )
        try:
            Path(tmp).rename(home)
        except OSError:
            if not home.is_dir():  # lost a race to an equal install: fine
                raise
        else:
            Path(tmp).mkdir()  # TemporaryDirectory cleans up the (now empty) name
    return home


def version(command: list[str]) -> str:
    """`COMMAND --version`, for build cache keys."""
    proc = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.strip()
