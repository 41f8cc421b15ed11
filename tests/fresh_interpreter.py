"""Run a script in a fresh interpreter of this venv and read what it printed: for what only a new process shows
(which modules an import loads, what a process's start leaves frozen), where the test run's own interpreter has
long since imported everything."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any


def run_fresh(script: str, payload: Any = None, *, cwd: Path | None = None, timeout: float = 120) -> Any:
    """The JSON of the last line ``script`` (dedented) prints, run by a fresh interpreter in ``cwd`` with
    ``payload`` as JSON on its stdin. A script that fails fails the test with its stderr."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        input=json.dumps(payload),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
