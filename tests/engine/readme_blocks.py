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

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

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


def script(blocks: list[Block], name: str) -> str:
    """A bash script that runs the command lines of ``blocks`` that are to run, in order, and stops at the first
    that fails (module docstring)."""
    parts = ["#!/usr/bin/env bash", "set -uo pipefail"]
    for block in blocks:
        if block.not_run is not None:
            continue
        for line, command in block.commands():
            where = shlex.quote(f"{name}:{line}: {command}")
            parts.append(command)
            parts.append(f'rc=$?; if [ "$rc" -ne 0 ]; then echo {where} "exited $rc" >&2; exit 90; fi')
    parts.append('left=$(jobs -pr); if [ -n "$left" ]; then echo "still running after the README: $left" >&2; fi')
    parts.append('if [ -n "$left" ]; then kill $left; exit 91; fi')
    return "\n".join(parts) + "\n"
