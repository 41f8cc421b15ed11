"""What a provider process keeps between calls is one ``Runtime``: the pickled provider carries none of it and
finds its process's at each call; the ARM clients of one process share its write count and wait notes; each test
plays one process with a runtime of its own (tests/conftest.py)."""

from __future__ import annotations

import base64

import dill
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from pulumi_azure_peering.provider import ProviderOverrides
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.runtime import Runtime, process_runtime, use_runtime
from tests.unit.provider.provider_fakes import arm_settings

pytestmark = pytest.mark.unit


def test_a_test_runs_in_a_runtime_of_its_own(runtime: Runtime) -> None:
    assert process_runtime() is runtime
    assert runtime.ledger.taker("/any") is None


def test_the_pickled_provider_finds_the_runtime_of_the_process_that_loads_it() -> None:
    provider = VirtualNetworkPeeringProvider(ProviderOverrides(arm_endpoint="https://arm.test"))
    before = provider.runtime
    before.ledger.took("/subscriptions/s/peering", "a")
    raw = base64.b64decode(serialize_provider(provider))
    assert b"Runtime" not in raw and b"RunLedger" not in raw and b"runtime" not in raw
    with use_runtime(Runtime()) as elsewhere:
        clone = dill.loads(raw)
        assert clone.runtime is elsewhere
        assert clone.runtime.ledger.taker("/subscriptions/s/peering") is None  # another process: another run
    assert provider.runtime is before  # the previous process's runtime is back


def test_the_clients_of_one_process_share_its_write_count_and_notes() -> None:
    runtime = Runtime()
    settings = arm_settings()
    client = runtime.client_for(settings)
    assert runtime.client_for(settings) is client
    assert client.writes is runtime.writes and client.notes is runtime.notes
    mark = runtime.writes.mark()
    assert mark is not None
    with client.writes.writing():
        assert runtime.writes.mark() is None  # what the process's peering reads consult
    assert not runtime.writes.unchanged_since(mark)
    other = Runtime().client_for(settings)
    assert other is not client and other.writes is not runtime.writes
    assert other.session is not client.session


def test_the_engine_watch_is_started_once_per_runtime_and_only_in_a_provider_process() -> None:
    runtime = Runtime()
    assert runtime.watch_engine() is False  # pytest is not `python -m pulumi.dynamic`
