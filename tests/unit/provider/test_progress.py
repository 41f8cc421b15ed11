"""What the provider says while it waits: once when a wait starts, then at most every REPEAT_SECONDS."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.provider.progress import REPEAT_SECONDS, WaitNotes, subject_of

pytestmark = pytest.mark.unit


def test_a_wait_is_told_when_it_starts_then_at_most_every_repeat_seconds() -> None:
    now = [100.0]
    waits = WaitNotes(clock=lambda: now[0])
    assert waits.note("peering 'a'", "AnotherOperationInProgress", "busy") == "peering 'a': waiting: busy"
    now[0] += REPEAT_SECONDS / 2
    assert waits.note("peering 'a'", "AnotherOperationInProgress", "busy") is None
    # another reason, or another peering, is another wait
    assert waits.note("peering 'a'", "TooManyRequests", "throttled") == "peering 'a': waiting: throttled"
    assert waits.note("peering 'b'", "AnotherOperationInProgress", "busy") == "peering 'b': waiting: busy"
    now[0] += REPEAT_SECONDS
    assert waits.note("peering 'a'", "AnotherOperationInProgress", "busy") == (
        f"peering 'a': still waiting after {1.5 * REPEAT_SECONDS:.0f}s (3 tries): busy"
    )
    waits.done("peering 'a'")
    assert waits.note("peering 'a'", "AnotherOperationInProgress", "busy") == "peering 'a': waiting: busy"


def test_the_subject_is_the_peering_or_vnet_a_request_is_about() -> None:
    vnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-hub"
    assert subject_of(f"PUT {vnet}/virtualNetworkPeerings/hub-to-spoke") == "peering 'hub-to-spoke' of vnet 'vnet-hub'"
    assert subject_of(f"GET {vnet}") == "vnet 'vnet-hub'"
    assert subject_of("GET /providers/Microsoft.Network/operations") == "GET /providers/Microsoft.Network/operations"
