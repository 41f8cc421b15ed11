"""The plugin process itself: it serves on the port it prints, and stops once the engine that started it is gone
(as the dynamic-provider process does, provider/engine_watch.py), so an engine killed outright leaves no writer."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from harness.pulumi import VENV_BIN

pytestmark = pytest.mark.reliability


def test_plugin_prints_its_port_and_stops_when_its_engine_is_gone(tmp_path: Path) -> None:
    port_file = tmp_path / "port"
    plugin = VENV_BIN / "pulumi-resource-azure-peering"
    # a stand-in engine: starts the plugin, reports its pid, and goes away once the plugin listens
    engine = subprocess.run(
        [
            "bash",
            "-c",
            f'"{plugin}" 127.0.0.1:9 > "{port_file}" & echo $!; '
            f'for _ in $(seq 100); do [ -s "{port_file}" ] && exit 0; sleep 0.1; done; exit 1',
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pid = int(engine.stdout.split()[0])
    assert int(port_file.read_text().split()[0]) > 0
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    os.kill(pid, 9)
    pytest.fail("the plugin outlived the engine that started it")
