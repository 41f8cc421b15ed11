"""The provider against the emulator for two refusals of issue 25: subnet peering on a subscription that has not
registered Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets (preview names it and `az feature register`;
`up` names the same fix when ARM refuses), and a refusal that arrives late, as a Failed long-running operation instead
of a 400 (the same message and fix either way, and nothing left in ARM)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.topology import vnet_id
from pulumi_azure_peering.provider import vnet_facts
from pulumi_azure_peering.provider.errors import ArmAuthorizationError, PeeringOperationError
from pulumi_azure_peering.provider.runtime import Runtime
from tests.arm_views import arm_writes
from tests.emulator_config import SUB_HUB, SUB_SPOKES, seeded_vnet
from tests.provider_on_emulator.provider_env import Engine, args, estate, new_provider

pytestmark = pytest.mark.emulator

FEATURE = "Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets"
OVERLAP = "VnetAddressSpaceOverlapsWithAlreadyPeeredVnet"
SUBNETS: dict[str, Any] = {
    "peer_complete_vnets": False,
    "local_subnet_names": ["shared"],
    "remote_subnet_names": ["app"],
}
# a spoke with vnet-payments' address space: peering it with the hub overlaps a vnet already peered with the hub
PAYMENTS_COPY = {
    "subscriptionId": SUB_SPOKES,
    "name": "rg-copy",
    "location": "westeurope",
    "virtualNetworks": [{"name": "vnet-copy", "addressPrefixes": ["10.1.0.0/16"]}],
}
COPY = vnet_id(SUB_SPOKES, "rg-copy", "vnet-copy")


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with estate(emulator, monkeypatch, [PAYMENTS_COPY]) as emu:
        yield emu


def feature_reads(emu: Any, seq: int) -> list[dict[str, Any]]:
    return [r for r in emu.request_log(since=seq) if "/providers/Microsoft.Features/" in r["path"]]


# --- subnet peering and the subscription feature ---------------------------------------------------------------


def test_preview_names_the_unregistered_feature_and_the_fix_and_writes_nothing(emu: Any) -> None:
    emu.set_feature(SUB_HUB, "NotRegistered")
    engine = Engine(new_provider())
    seq = emu.last_request_seq()
    failures = engine.failures("a", args("vnet-hub", "vnet-payments", **SUBNETS))
    assert set(failures) == {"peer_complete_vnets"}
    reason = failures["peer_complete_vnets"]
    assert f"subscription {SUB_HUB} has not registered the feature {FEATURE}" in reason
    assert "SubscriptionNotRegisteredForFeature" in reason
    assert (
        "az feature register --namespace Microsoft.Network --name AllowMultiplePeeringLinksBetweenVnets "
        f"--subscription {SUB_HUB}" in reason
    )
    assert f"az provider register -n Microsoft.Network --subscription {SUB_HUB}" in reason
    assert arm_writes(emu, seq) == []
    read = feature_reads(emu, seq)
    assert [(r["method"], r["status"]) for r in read] == [("GET", 200)]
    assert "api-version=2021-07-01" in read[0]["query"]
    # read once per subscription and process (cache), however many peerings ask
    seq = emu.last_request_seq()
    assert "peer_complete_vnets" in engine.failures("b", args("vnet-hub", "vnet-analytics", **SUBNETS))
    assert feature_reads(emu, seq) == []


def test_the_remote_subscription_and_whole_vnet_peerings_are_not_checked(
    emu: Any, next_command: Callable[[], Runtime]
) -> None:
    emu.set_feature(SUB_SPOKES, "NotRegistered")  # the remote's; the hub's is registered
    engine = Engine(new_provider())
    assert engine.failures("a", args("vnet-hub", "vnet-payments", **SUBNETS)) == {}
    emu.set_feature(SUB_HUB, "Unregistered")
    next_command()
    seq = emu.last_request_seq()
    assert engine.failures("b", args("vnet-hub", "vnet-analytics")) == {}  # whole vnets: no feature needed
    assert feature_reads(emu, seq) == []


def test_a_feature_still_registering_says_to_wait(emu: Any) -> None:
    emu.set_feature(SUB_HUB, "Registering")
    reason = Engine(new_provider()).failures("a", args("vnet-hub", "vnet-payments", **SUBNETS))["peer_complete_vnets"]
    assert "still registering" in reason and "reads Registered" in reason
    assert "az provider register -n Microsoft.Network" in reason


def test_once_registered_the_subnet_peering_is_created(emu: Any, next_command: Callable[[], Runtime]) -> None:
    emu.set_feature(SUB_HUB, "NotRegistered")
    engine = Engine(new_provider())
    assert "peer_complete_vnets" in engine.failures("a", args("vnet-hub", "vnet-payments", **SUBNETS))
    feature = f"/subscriptions/{SUB_HUB}/providers/Microsoft.Features/providers/{FEATURE.replace('/', '/features/')}"
    assert emu.arm("POST", f"{feature}/register", api_version="2021-07-01").status_code == 200
    next_command()
    assert engine.up("a", args("vnet-hub", "vnet-payments", **SUBNETS)) == "create"
    assert engine.outputs["a"]["local_subnet_names"] == ["shared"]


def test_unreadable_features_skip_the_check_and_up_names_the_same_fix(
    emu: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An identity without Microsoft.Features read (403) passes preview; ARM's refusal at `up` then names the fix,
    and nothing is left behind."""
    reads: list[str] = []

    def forbidden(client: Any, subscription_id: str, feature: str, **_: Any) -> str | None:
        reads.append(subscription_id)
        raise ArmAuthorizationError(status_code=403, code="AuthorizationFailed", message="no features/read")

    monkeypatch.setattr(vnet_facts, "read_feature_state", forbidden)
    emu.set_feature(SUB_HUB, "NotRegistered")
    engine = Engine(new_provider())
    inputs = engine.check("a", args("vnet-hub", "vnet-payments", **SUBNETS))  # no failure
    engine.check("b", args("vnet-hub", "vnet-analytics", **SUBNETS))
    assert reads == [SUB_HUB]  # the 403 is remembered like an answer
    with pytest.raises(PeeringOperationError) as refused:
        engine.provider.create(inputs)
    line = str(refused.value)
    assert "ARM 400 SubscriptionNotRegisteredForFeature" in line
    assert f"Subscription {SUB_HUB} is not registered for feature {FEATURE}" in line
    assert "Fix: " in line and "az feature register --namespace Microsoft.Network" in line
    assert "az provider register -n Microsoft.Network" in line
    assert (
        emu.arm("GET", f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-payments").status_code == 404
    )


# --- refusals that arrive late ---------------------------------------------------------------------------------


def _hub_and_payments_connected(engine: Engine) -> None:
    engine.up("hub", args("vnet-hub", "vnet-payments"))
    engine.up("payments", args("vnet-payments", "vnet-hub"))


def _normalised(line: str) -> str:
    """The line without what differs between a 400 and a failed operation: the HTTP status and the request id."""
    return re.sub(r" \(request id [^)]*\)", "", re.sub(r"ARM (\d{3}|operation failed) ", "ARM ", line))


def _refusal(engine: Engine) -> str:
    with pytest.raises(PeeringOperationError) as refused:
        engine.up("copy", {**args("vnet-copy", "vnet-hub", preflight=False), "virtual_network_id": COPY})
    return str(refused.value)


def test_a_late_refusal_reads_like_the_400_and_leaves_nothing(emu: Any) -> None:
    engine = Engine(new_provider())
    _hub_and_payments_connected(engine)
    peering = f"{COPY}/virtualNetworkPeerings/vnet-copy-to-vnet-hub"

    seq = emu.last_request_seq()
    now = _refusal(engine)
    assert [(r["method"], r["status"], r["code"]) for r in arm_writes(emu, seq)] == [("PUT", 400, OVERLAP)]

    emu.set_late_refusals(OVERLAP)
    seq = emu.last_request_seq()
    late = _refusal(engine)
    log = arm_writes(emu, seq)
    # ARM accepted the PUT (201), its operation ended Failed; the create deleted what it had made
    assert [(r["method"], r["status"]) for r in log] == [("PUT", 201), ("DELETE", 202)]
    polls = [r for r in emu.request_log(since=seq) if "/operations/" in r["path"]]
    assert polls, "the provider followed the operation"
    assert emu.arm("GET", peering).status_code == 404  # nothing left in ARM
    assert [p["name"] for p in emu.arm("GET", f"{COPY}/virtualNetworkPeerings").json()["value"]] == []

    for line in (now, late):
        assert OVERLAP in line and "Fix: a vnet already peered to the remote overlaps this one" in line
    assert "ARM 400 " + OVERLAP in now
    assert _normalised(late) == _normalised(now)  # same message, same fix
    assert late.split(". Fix: ")[1] == now.split(". Fix: ")[1]

    # the state holds nothing: a later up (with the overlap gone) creates it afresh
    assert "copy" not in engine.ids
