"""CPU seconds of the processes a Pulumi command starts, by role, sampled from /proc (Linux, no psutil).

While a command runs, a thread reads ``/proc/<pid>/stat`` of every descendant of this process (the emulator's
excluded) every ``interval`` seconds and keeps each process's last utime + stime. A process's CPU after its last
sample is missed, so each figure is short by at most ``interval`` seconds of that process's CPU; the
dynamic-provider process is measured exactly by bench/provider_probe.py instead.

Roles come from the command line: ``engine`` (the pulumi CLI), ``language_host`` (pulumi-language-python),
``program`` (the Python program, run by pulumi-language-python-exec; or pulumi-language-yaml, which is both the
language host and the evaluator of a YAML program), ``provider`` (the dynamic-provider process), ``plugin`` (a
provider plugin ``pulumi-resource-<package>``: for a YAML program of the ``azure-peering`` package, the process that
runs the component's Python code as well as the peerings' provider) and ``other``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None if it is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3 of stat); ppid is field 4, utime 14, stime 15
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def role_of(cmdline: list[str]) -> str:
    joined = " ".join(cmdline)
    if "provider_probe.py" in joined or "pulumi.dynamic" in joined or "pulumi-resource-pulumi-python" in joined:
        return "provider"
    if "pulumi-language-python-exec" in joined or (cmdline and Path(cmdline[0]).name == "pulumi-language-yaml"):
        return "program"
    # the floor's plugin runs bench/plugin_floor.py under its shim's name only until the shim execs it
    if "/pulumi-resource-" in joined or "plugin_floor.py" in joined:
        return "plugin"
    if cmdline and cmdline[0].endswith("pulumi-language-python"):
        return "language_host"
    if cmdline and Path(cmdline[0]).name == "pulumi":
        return "engine"
    return "other"


def _cmdline(pid: int) -> list[str]:
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


class CpuSampler:
    """Context manager: CPU seconds by role of the descendants started while it was active."""

    def __init__(self, exclude: Collection[int] = (), interval: float = 0.1) -> None:
        self._root = os.getpid()
        self._exclude = set(exclude)
        self._interval = interval
        self._seen: dict[int, tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cpu-sampler", daemon=True)
        self._known_before: set[int] = set()

    def __enter__(self) -> CpuSampler:
        self._known_before = set(self._descendants())
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in PROC.iterdir():
            if entry.name.isdigit():
                st = _stat(int(entry.name))
                if st is not None:
                    parents[int(entry.name)] = st[0]
        out: list[int] = []
        for pid in parents:
            p, hops = pid, 0
            while p in parents and p != self._root and hops < 64:
                if p in self._exclude:
                    break
                p, hops = parents[p], hops + 1
            if p == self._root and pid != self._root and not (self._exclude & {pid}):
                out.append(pid)
        return out

    def _sample(self) -> None:
        for pid in self._descendants():
            if pid in self._known_before:
                continue
            st = _stat(pid)
            if st is None:
                continue
            # recomputed every time: the plugin shim (sh) execs the provider's python under the same pid
            cmdline = _cmdline(pid)
            role = role_of(cmdline) if cmdline else self._seen.get(pid, ("other", 0.0))[0]
            self._seen[pid] = (role, st[1])

    def _loop(self) -> None:
        while True:
            self._sample()
            if self._stop.wait(self._interval):
                self._sample()
                return

    def by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for role, cpu in self._seen.values():
            out[role] = out.get(role, 0.0) + cpu
        return {k: round(v, 3) for k, v in sorted(out.items())}
