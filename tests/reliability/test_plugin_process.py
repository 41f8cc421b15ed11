"""The plugin process itself: it serves on the port it prints, and stops once the engine that started it is gone
(as the dynamic-provider process does, provider/engine_watch.py), so an engine killed outright leaves no writer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.pulumi import VENV_BIN
from pulumi_azure_peering.provider.engine_watch import EXIT_ENGINE_GONE

pytestmark = pytest.mark.reliability

# Runs a stand-in engine and, once it is gone, stands in for the init process the plugin is left to: a child
# subreaper (Linux) inherits the orphaned plugin, so it can wait for it and tell how it ended. Prints the plugin's
# exit status, or "outlived" (after killing it) when it is still running 20 s after its engine went away.
REAPER = """
import ctypes, os, signal, subprocess, sys, time
PR_SET_CHILD_SUBREAPER = 36
if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
    sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
engine = subprocess.run(["bash", "-c", sys.argv[1]], capture_output=True, text=True, check=True, timeout=60)
pid = int(engine.stdout.split()[0])
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        print(os.waitstatus_to_exitcode(status))
        sys.exit(0)
    time.sleep(0.1)
os.kill(pid, signal.SIGKILL)
os.waitpid(pid, 0)
print("outlived")
"""


def test_plugin_prints_its_port_and_stops_when_its_engine_is_gone(tmp_path: Path) -> None:
    port_file, stderr_file = tmp_path / "port", tmp_path / "stderr"
    plugin = VENV_BIN / "pulumi-resource-azure-peering"
    # a stand-in engine: starts the plugin, reports its pid, and goes away once the plugin listens
    engine = (
        f'"{plugin}" 127.0.0.1:9 > "{port_file}" 2> "{stderr_file}" & echo $!; '
        f'for _ in $(seq 100); do [ -s "{port_file}" ] && exit 0; sleep 0.1; done; exit 1'
    )
    reaper = subprocess.run(
        [sys.executable, "-c", REAPER, engine], capture_output=True, text=True, timeout=90, check=True
    )
    assert int(port_file.read_text().split()[0]) > 0
    stderr = stderr_file.read_text()
    assert reaper.stdout.split() != ["outlived"], "the plugin outlived the engine that started it"
    # it stopped because its engine was gone, not for any other reason (a crash, the engine's address refused)
    assert reaper.stdout.split() == [str(EXIT_ENGINE_GONE)], (reaper.stdout, stderr)
    assert "is gone: stopping so that nothing more is written" in stderr, stderr
