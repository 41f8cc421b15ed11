"""The shell command blocks of a README, and the script that runs them as a person would, line by line.

A block is a fenced ``sh`` or ``bash`` block. Every one runs, in the order of the file, in one shell, unless the
line right before its fence is the marker ``<!-- readme-runs: not run: REASON -->`` (a real-Azure block, a list of
alternatives, a step that needs the network): the reason is required, and the test prints each block it did not
run with it, so nothing is left out silently.

The script runs each command line (a line with its ``\\`` continuations) and stops at the first one that exits
non-zero, naming the README, the line and the exit status: ``set -e`` would not stop at ``a && b`` when ``a`` fails.
Once every line has run, a process the README started and did not stop fails the run too (a README's clean-up is
part of what it says).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from harness.pulumi import REPO
from pulumi_azure_peering.emulator.connection import EXPORTED
from tests.pulumi_package.frontends import NPM_CACHE

#: The marker of a block that is not run, with its reason (docstring above).
NOT_RUN = re.compile(r"^<!-- readme-runs: not run: (?P<reason>\S.*?) -->$")
_FENCE = re.compile(r"^```(?P<lang>[\w-]*)\s*$")
SHELL_LANGUAGES = frozenset({"sh", "bash", "shell"})


@dataclass(frozen=True)
class Block:
    readme: Path
    line: int  # of the opening fence, 1-based
    code: str
    not_run: str | None  # the marker's reason

    def commands(self) -> list[tuple[int, str]]:
        """(README line, command) of each command line: continuations joined, comments and blanks left out."""
        out: list[tuple[int, str]] = []
        pending: list[str] = []
        start = 0
        for offset, text in enumerate(self.code.splitlines(), start=self.line + 1):
            if not pending:
                if not text.strip() or text.lstrip().startswith("#"):
                    continue
                start = offset
            pending.append(text)
            if not text.endswith("\\"):
                out.append((start, "\n".join(pending)))
                pending = []
        if pending:
            out.append((start, "\n".join(pending)))
        return out


def shell_blocks(readme: Path, section: str | None = None) -> list[Block]:
    """The shell blocks of ``readme`` (only those under the heading ``section`` and its subheadings, if given)."""
    lines = readme.read_text().splitlines()
    blocks: list[Block] = []
    inside = section is None
    level = 0
    index = 0
    while index < len(lines):
        text = lines[index]
        heading = re.match(r"^(#+) (.*)$", text)
        if heading and section is not None:
            depth = len(heading.group(1))
            if heading.group(2).strip() == section:
                inside, level = True, depth
            elif inside and depth <= level:
                inside = False
        fence = _FENCE.match(text)
        if not fence:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        if inside and fence.group("lang") in SHELL_LANGUAGES:
            marker = NOT_RUN.match(lines[index - 1].strip()) if index else None
            blocks.append(Block(readme, index + 1, "\n".join(lines[index + 1 : end]), marker and marker["reason"]))
        index = end + 1
    return blocks


def fresh_clone(dest: Path, *, links: bool = True) -> Path:
    """The repository's tracked files (as a clone has them, mtimes kept so that make sees nothing to rebuild) plus
    links to the ``.venv`` and ``.tools`` of this checkout (what ``make demo`` made)."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    if links:
        (dest / ".venv").symlink_to(REPO / ".venv")
        (dest / ".tools").symlink_to((REPO / ".tools").resolve())
    return dest


def readme_env(home: Path) -> dict[str, str]:
    """The environment a README's script runs in: the caller's, less its ``PULUMI_*``, ``AZURE_*`` and the
    variables ``azure-peering-emulator env`` exports, with ``HOME`` and ``PULUMI_HOME`` in ``home``. pip keeps the
    caller's cache (``PIP_CACHE_DIR``) and npm the package suite's (``NPM_CONFIG_CACHE``), so that an install a
    README makes costs a download once per machine.
    ``PULUMI_SKIP_CONFIRMATIONS`` answers ``pulumi up``'s and ``destroy``'s question with yes, as a person would."""
    pip_cache = os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip")
    home.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PULUMI_", "AZURE_")) and k not in EXPORTED and k != "VIRTUAL_ENV"
    }
    # a README that needs .venv/bin or .tools on PATH says so (export PATH=...): the caller's entries are not lent
    ours = (REPO.resolve(), Path(sys.prefix).resolve())
    env["PATH"] = os.pathsep.join(
        entry
        for entry in env.get("PATH", "").split(os.pathsep)
        if entry and not any(Path(entry).resolve().is_relative_to(root) for root in ours)
    )
    env.update(
        {
            "HOME": str(home),
            "PIP_CACHE_DIR": pip_cache,
            "NPM_CONFIG_CACHE": os.environ.get("NPM_CONFIG_CACHE") or str(NPM_CACHE),
            "PULUMI_HOME": str(home / ".pulumi"),
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "NO_COLOR": "1",
        }
    )
    return env


def run_script(path: Path, cwd: Path, env: Mapping[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run a README's script in a session of its own; whatever of that session is still alive when it ends (a
    failed line leaves the emulator it started) is stopped, by the session's process group."""
    proc = subprocess.Popen(
        ["bash", str(path)],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        if proc.returncode is None:
            stdout, stderr = proc.communicate(timeout=30)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def script(blocks: list[Block], name: str, replace: Mapping[str, str] | None = None) -> str:
    """A bash script that runs the command lines of ``blocks`` that are to run, in order, and stops at the first
    that fails (module docstring). ``replace``: what each placeholder a README asks the reader to fill in
    (``/path/to/pulumi-azure-peering``) stands for here."""
    parts = [
        "#!/usr/bin/env bash",
        "set -uo pipefail",
        # a failed line: say which, stop what the README started, so that its output ends and the run returns
        'fail() { echo "$1" >&2; left=$(jobs -pr); if [ -n "$left" ]; then kill $left; fi; exit "$2"; }',
    ]
    for block in blocks:
        if block.not_run is not None:
            continue
        for line, command in block.commands():
            where = shlex.quote(f"{name}:{line}: {command}")
            for placeholder, value in (replace or {}).items():
                command = command.replace(placeholder, value)
            parts.append(command)
            parts.append(f'rc=$?; if [ "$rc" -ne 0 ]; then fail {where}" exited $rc" 90; fi')
    parts.append('if [ -n "$(jobs -pr)" ]; then fail "still running after the README: $(jobs -pr)" 91; fi')
    return "\n".join(parts) + "\n"


def run_blocks(
    blocks: list[Block], name: str, cwd: Path, work: Path, *, timeout: float, replace: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``blocks`` as :func:`script` writes them (kept in ``work``), in ``cwd``, in :func:`readme_env` with its
    home in ``work``."""
    path = work / "readme.sh"
    path.write_text(script(blocks, name, replace))
    return run_script(path, cwd, readme_env(work / "home"), timeout=timeout)
