"""SIGKILL of a running `pulumi` command at a point chosen from the emulator's request log, as a cancelled CI job
does it: the CLI, language host and program at once (their process group), the provider left to stop by itself;
and the resume on a new CI runner (a fresh PULUMI_HOME, the same backend) with `azure-peering-recover`.

Shared by the crash tests (test_crash_consistency.py, test_resume_elsewhere.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.pulumi import VENV_BIN, PulumiProject, PulumiResult, pulumi_cli


def session_processes(session: int) -> dict[int, str]:
    """The live processes of a session (pid -> command line), read from /proc."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if fields[0] != "Z" and int(fields[3]) == session:
                found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
    return found


def reap_session(session: int, timeout: float = 10.0) -> dict[int, str]:
    """After the kill: wait for the dynamic-provider processes of the run to stop by themselves (the engine
    spawns them in process groups of their own, so the kill does not reach them; provider/engine_watch.py ends
    them once the engine is gone). Returns what was still running then, and kills it (those are Pulumi's own
    plugins, such as the Go language host, which this project cannot stop)."""
    deadline = time.monotonic() + timeout
    left = session_processes(session)
    while any("pulumi.dynamic" in cmd for cmd in left.values()) and time.monotonic() < deadline:
        time.sleep(0.2)
        left = session_processes(session)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def is_peering(entry: dict[str, Any], method: str) -> bool:
    return bool(entry["method"] == method and "/virtualnetworkpeerings/" in entry["path"].lower())


def count(entries: Sequence[dict[str, Any]], method: str, *, accepted: bool = False) -> int:
    """Peering requests of `method` in `entries`; with `accepted`, only those ARM took (2xx)."""
    return sum(1 for e in entries if is_peering(e, method) and (not accepted or 200 <= int(e["status"] or 0) < 300))


@dataclass
class Killed:
    """What a killed run had done when it was killed."""

    seconds: float
    requests: list[dict[str, Any]] = field(default_factory=list)
    """The emulator's request log of the run, up to the kill."""
    metadata_repaired: bool = False
    """The kill emptied the checkpoint's metadata file, and `azure-peering-recover --dry-run` repaired it."""

    def count(self, method: str, *, accepted: bool = False) -> int:
        return count(self.requests, method, accepted=accepted)


def run_and_kill(
    project: PulumiProject,
    args: Sequence[str],
    emulator: Any,
    kill_when: Callable[[list[dict[str, Any]]], bool],
    log_path: Path,
    *,
    timeout: float = 300.0,
    kill_delay: float = 0.0,
) -> Killed:
    """Start `pulumi <args>` and SIGKILL its process group ``kill_delay`` seconds after `kill_when(requests so far)`
    holds (a delay lands the kill inside the writes then under way). Fails if the command ended before the kill, or
    if one of its provider processes outlives the engine."""
    since = emulator.last_request_seq()
    argv = [str(pulumi_cli()), *args, "--non-interactive", "--cwd", str(project.workdir), "--stack", project.stack]
    started = time.monotonic()
    seen: list[dict[str, Any]] = []
    with open(log_path, "wb") as out:
        proc = subprocess.Popen(argv, env=project.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        while proc.poll() is None and time.monotonic() - started < timeout:
            seen = emulator.request_log(since=since)
            if kill_when(seen):
                break
            time.sleep(0.02)
        time.sleep(kill_delay)
        assert proc.poll() is None, f"`pulumi {' '.join(args)}` ended before the kill point:\n{log_path.read_text()}"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    lasted = time.monotonic() - started
    left = reap_session(proc.pid)
    providers = {pid: cmd for pid, cmd in left.items() if "pulumi.dynamic" in cmd}
    assert not providers, f"provider processes outlived the killed engine: {providers}"
    return Killed(lasted, seen, metadata_repaired=repair_if_unloadable(project))


def repair_if_unloadable(project: PulumiProject) -> bool:
    """docs/reliability.md's first step after a kill, when it applies: if Pulumi cannot load the stack any more
    (`failed to load checkpoint: EOF`: the kill landed while the local backend rewrote the checkpoint's metadata
    file, provider/checkpoint_files.py), `azure-peering-recover --dry-run` repairs that and only that. Returns whether
    it had to; fails on any other reason the stack cannot be read."""
    probe = project.run("stack", "export", check=False)
    if probe.ok:
        return False
    assert "failed to load checkpoint: EOF" in probe.output, probe.output
    looked = recover(project, "--dry-run")
    assert "removed" in looked.stdout and "the state is unchanged" in looked.stdout, looked.output
    return True


def new_runner(project: PulumiProject, where: Path) -> PulumiProject:
    """The same project and backend as seen from another machine: an empty PULUMI_HOME (no plugins cache,
    nothing of the killed run)."""
    home = where / "fresh-pulumi-home"
    home.mkdir(parents=True)
    return PulumiProject(project.workdir, project.stack, {**project.env, "PULUMI_HOME": str(home)})


def recover(project: PulumiProject, *extra: str) -> PulumiResult:
    argv = [str(VENV_BIN / "azure-peering-recover"), "--stack", project.stack, "--cwd", str(project.workdir), *extra]
    proc = subprocess.run(argv, env=project.env, capture_output=True, text=True, timeout=600, check=False)
    return PulumiResult(["azure-peering-recover", *extra], proc.returncode, proc.stdout, proc.stderr)


def recovered_counts(result: PulumiResult) -> dict[str, int]:
    """How many pending creates `azure-peering-recover` recorded, cleared and left (one line each)."""
    lines = result.stdout.splitlines()
    verbs = {"recorded": "record ", "cleared": "clear ", "left": "leave "}
    return {key: sum(line.startswith(verb) for line in lines) for key, verb in verbs.items()}
