"""Run a Python example from README.md as a user would: a script in a fresh folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def readme_block(marker: str) -> str:
    """The fenced Python block that follows `<!-- marker -->` in README.md."""
    readme = (ROOT / "README.md").read_text()
    return readme.split(f"<!-- {marker} -->\n```python\n", 1)[1].split("```", 1)[0]


def run_readme_example(
    marker: str, folder: Path, compile_cache: Path
) -> subprocess.CompletedProcess[str]:
    """Run the block in `folder`, with the session's compile cache as the default cache."""
    (folder / "cache" / "witlink").mkdir(parents=True)
    (folder / "cache" / "witlink" / "compiled").symlink_to(compile_cache)
    script = folder / "example.py"
    script.write_text(readme_block(marker))
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(folder / "cache")},
        check=False,
        timeout=600,
    )
