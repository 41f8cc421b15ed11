"""The plugin's ``main`` freezes its start-up heap before it serves (``freeze_start_up_heap``): in a fresh interpreter,
with the engine watch and the engine log (which need a running engine) left out, ``main`` is run until it builds its
gRPC server, and what the collector holds frozen at that moment is read."""

from __future__ import annotations

import textwrap

import pytest

from tests.fresh_interpreter import run_fresh

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
    facts = run_fresh(PROBE, timeout=60)
    # the SDK's, gRPC's and this package's objects are frozen by then; what is still tracked is the server's making
    assert facts["frozen"] > 20_000
    assert facts["tracked"] < 1_000
