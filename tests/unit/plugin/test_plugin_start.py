"""The plugin's ``main`` freezes its start-up heap before it serves (``freeze_start_up_heap``): in a fresh interpreter,
with the engine watch and the engine log (which need a running engine) left out, ``main`` is run until it builds its
gRPC server, and what the collector holds frozen at that moment is read."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.unit

PROBE = textwrap.dedent(
    """
    import gc, json, sys

    from pulumi_azure_peering.plugin import provider as plugin
    from pulumi_azure_peering.provider import progress, runtime


    class Served(Exception):
        pass


    def server(*args, **kwargs):
        print(json.dumps({"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}))
        raise Served


    runtime.Runtime.watch_engine = lambda self, **kwargs: False  # no engine to watch
    progress.show_through_engine = lambda address: None  # no engine to log to
    plugin.grpc.aio.server = server
    sys.argv = ["pulumi-resource-azure-peering", "127.0.0.1:1"]
    try:
        plugin.main()
    except Served:
        pass
    """
)


def test_main_freezes_the_start_up_heap_before_it_serves() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)
    # the SDK's, gRPC's and this package's objects are frozen by then; what is still tracked is the server's making
    assert facts["frozen"] > 20_000
    assert facts["tracked"] < 1_000
