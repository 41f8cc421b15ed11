"""Crash recovery from the checkpoint and ARM (provider/recovery.py): which pending creates are recorded, cleared
or left, and the evidence the check leaves for it (``__absent_when_checked``). No network: ARM is a dict."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
import responses

from pulumi_azure_peering.provider.arm import ArmClient, peering_from
from pulumi_azure_peering.provider.errors import ArmError, PeeringError
from pulumi_azure_peering.provider.models import VirtualNetworkPeeringResource
from pulumi_azure_peering.provider.properties import ABSENT_WHEN_CHECKED_KEY
from pulumi_azure_peering.provider.recovery import Action, Recovery, pending_creates, recover_deployment
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.runtime import process_runtime
from tests.unit.provider.provider_fakes import ARM, make_client, peering_id, peering_json, vnet_id, vnet_json

pytestmark = pytest.mark.unit

TYPE = "pulumi-python:dynamic/azure-peering:VirtualNetworkPeering"
STACK = "urn:pulumi:test::proj::pulumi:pulumi:Stack::proj-test"
PARENT = "urn:pulumi:test::proj::azure-peering:index:HubSpokePeering::hub"
PROVIDER = "urn:pulumi:test::proj::pulumi:providers:pulumi-python::default::0000"
PID = peering_id("hub", "hub-to-spoke")
NOW = "2026-01-01T00:00:00Z"


def urn(name: str) -> str:
    return f"urn:pulumi:test::proj::azure-peering:index:HubSpokePeering${TYPE}::{name}"


#: Inputs without the check's evidence (``inputs`` drops a None).
NOT_CHECKED: dict[str, Any] = {ABSENT_WHEN_CHECKED_KEY: None}


def inputs(name: str = "hub-to-spoke", vnet: str = "hub", remote: str = "spoke", **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "__provider": "cGlja2xlZA==",
        "__resource_name": f"hub-{name}",
        ABSENT_WHEN_CHECKED_KEY: "2025-12-31T23:59:00+00:00",
        "virtual_network_id": vnet_id(vnet),
        "remote_virtual_network_id": vnet_id(remote),
        "name": name,
        "allow_forwarded_traffic": False,
        "adopt_existing": False,
        "preflight": False,
    }
    values.update(extra)
    return {k: v for k, v in values.items() if v is not None}


def pending(name: str, values: Mapping[str, Any], *, depends: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "creating",
        "resource": {
            "urn": urn(name),
            "custom": True,
            "type": TYPE,
            "inputs": dict(values),
            "parent": PARENT,
            "provider": PROVIDER,
            "dependencies": depends or [],
            "propertyDependencies": {"use_remote_gateways": depends or []},
        },
    }


def deployment(*ops: dict[str, Any], resources: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    base = [
        {"urn": STACK, "custom": False, "type": "pulumi:pulumi:Stack"},
        {"urn": PROVIDER, "custom": True, "id": "0000", "type": "pulumi:providers:pulumi-python"},
        {"urn": PARENT, "custom": False, "type": "azure-peering:index:HubSpokePeering", "parent": STACK},
    ]
    return {"manifest": {}, "resources": base + (resources or []), "pending_operations": list(ops)}


class Arm:
    """ARM as a dict of peerings by id; records what was read."""

    def __init__(self, *bodies: dict[str, Any], error: PeeringError | None = None) -> None:
        self.peerings = {b["id"].lower(): peering_from(b, b["id"]) for b in bodies}
        self.reads: list[str] = []
        self.error = error

    def __call__(self, _inputs: Mapping[str, Any], pid: str) -> VirtualNetworkPeeringResource | None:
        self.reads.append(pid)
        if self.error is not None:
            raise self.error
        return self.peerings.get(pid.lower())


def run(dep: dict[str, Any], arm: Arm) -> Recovery:
    before = copy.deepcopy(dep)
    result = recover_deployment(dep, arm, now=NOW)
    assert dep == before, "the input deployment is not modified"
    return result


def only(result: Recovery) -> Any:
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


def test_a_create_that_reached_arm_is_recorded_with_arms_properties() -> None:
    result = run(deployment(pending("hub-to-spoke", inputs())), Arm(peering_json()))
    finding = only(result)
    assert finding.action is Action.RECORD and finding.peering_id == PID
    assert result.deployment["pending_operations"] == []
    entry = result.deployment["resources"][-1]
    assert entry["urn"] == urn("hub-to-spoke") and entry["id"] == PID
    assert entry["outputs"]["__provider"] == "cGlja2xlZA=="
    assert entry["outputs"]["peering_state"] == "Initiated" and entry["outputs"]["etag"] == 'W/"1"'
    assert entry["outputs"]["remote_virtual_network_id"] == vnet_id("spoke")
    assert entry["inputs"] == inputs() and entry["created"] == NOW
    assert all(v is not None for v in entry["outputs"].values())


def test_a_create_that_never_reached_arm_is_cleared() -> None:
    result = run(deployment(pending("hub-to-spoke", inputs())), Arm())
    assert only(result).action is Action.CLEAR
    assert result.deployment["pending_operations"] == [] and len(result.deployment["resources"]) == 3


def test_a_peering_with_other_settings_is_not_taken() -> None:
    """Made by someone else (or changed since): the pending create stays, and the next up refuses it."""
    body = peering_json(allowForwardedTraffic=True)
    result = run(deployment(pending("hub-to-spoke", inputs())), Arm(body))
    finding = only(result)
    assert finding.action is Action.LEAVE and "allow_forwarded_traffic" in finding.reason
    assert len(result.deployment["pending_operations"]) == 1 and len(result.deployment["resources"]) == 3
    assert not result.changed and result.undecided == [finding]


def test_a_peering_to_another_remote_is_not_taken() -> None:
    result = run(deployment(pending("hub-to-spoke", inputs())), Arm(peering_json(remote="other")))
    assert only(result).action is Action.LEAVE and "links to" in only(result).reason


def test_without_the_checks_evidence_nothing_is_taken_unless_adopt_existing() -> None:
    """No __absent_when_checked: the check did not read ARM (preflight off) or an older version started it."""
    plain = inputs(**NOT_CHECKED)
    result = run(deployment(pending("hub-to-spoke", plain)), Arm(peering_json()))
    assert only(result).action is Action.LEAVE and "adopt_existing=true" in only(result).reason
    adopting = inputs(**NOT_CHECKED, adopt_existing=True)
    assert only(run(deployment(pending("hub-to-spoke", adopting)), Arm(peering_json()))).action is Action.RECORD


def test_a_peering_another_resource_holds_is_not_taken() -> None:
    """A resource renamed without an alias: its old self holds the peering, the new one's create was pending."""
    old = {"urn": urn("old-name"), "custom": True, "type": TYPE, "id": PID.upper(), "parent": PARENT}
    arm = Arm(peering_json())
    result = run(deployment(pending("hub-to-spoke", inputs()), resources=[old]), arm)
    finding = only(result)
    assert finding.action is Action.CLEAR and "old-name" in finding.reason
    assert [r["urn"] for r in result.deployment["resources"]].count(urn("hub-to-spoke")) == 0
    assert arm.reads == []


def test_two_pending_creates_of_one_peering_are_left_alone() -> None:
    dep = deployment(pending("a", inputs(name="hub-to-spoke")), pending("b", inputs(name="hub-to-spoke")))
    result = run(dep, Arm(peering_json()))
    assert [f.action for f in result.findings] == [Action.LEAVE, Action.LEAVE]


def test_an_unreadable_peering_is_left_alone() -> None:
    error = ArmError(status_code=403, code="AuthorizationFailed", message="no")
    result = run(deployment(pending("hub-to-spoke", inputs())), Arm(peering_json(), error=error))
    assert only(result).action is Action.LEAVE and "AuthorizationFailed" in only(result).reason


def test_an_interrupted_replacement_is_left_alone() -> None:
    """The state still holds the resource (its old peering): recording a second entry of the URN would corrupt it."""
    old = {"urn": urn("hub-to-spoke"), "custom": True, "type": TYPE, "id": peering_id("hub", "old"), "parent": PARENT}
    result = run(deployment(pending("hub-to-spoke", inputs()), resources=[old]), Arm(peering_json()))
    assert only(result).action is Action.LEAVE and "replacement" in only(result).reason


def test_the_pending_creates_left_are_named_since_stack_import_would_drop_them() -> None:
    foreign = {"type": "creating", "resource": {"urn": "urn:x", "type": "azure-native:network:VirtualNetwork"}}
    update = pending("spoke-to-hub", inputs(name="spoke-to-hub", vnet="spoke", remote="hub"))
    update["type"] = "updating"
    undecided = pending("hub-to-spoke", inputs(**NOT_CHECKED))
    cleared = pending("gone", inputs(name="gone"))
    result = run(deployment(foreign, update, undecided, cleared), Arm(peering_json()))
    assert [f.action for f in result.findings] == [Action.LEAVE, Action.CLEAR]
    assert result.changed and result.creates_left == ["urn:x", urn("hub-to-spoke")]
    assert [op["type"] for op in result.pending_left] == ["creating", "updating", "creating"]


def test_other_pending_operations_are_kept_untouched() -> None:
    foreign = {"type": "creating", "resource": {"urn": "urn:x", "type": "azure-native:network:VirtualNetwork"}}
    update = pending("hub-to-spoke", inputs())
    update["type"] = "updating"
    dep = deployment(foreign, update)
    assert pending_creates(dep) == []
    result = run(dep, Arm(peering_json()))
    assert result.findings == [] and result.deployment["pending_operations"] == [foreign, update]


def test_dependencies_are_kept_when_recorded_too_and_dropped_when_missing() -> None:
    """The hub side before the spoke side (the spoke's depends_on): both recorded, in that order whatever the
    pending operations' order; a dependency on a create that never reached ARM is dropped (the next up writes
    the dependencies again)."""
    hub_side = pending("hub-to-spoke", inputs())
    spoke_side = pending(
        "spoke-to-hub",
        inputs(name="spoke-to-hub", vnet="spoke", remote="hub"),
        depends=[urn("hub-to-spoke"), urn("never-created")],
    )
    never = pending("never-created", inputs(name="never", vnet="hub", remote="other"))
    arm = Arm(peering_json(), peering_json(vnet="spoke", name="spoke-to-hub", remote="hub"))
    result = run(deployment(spoke_side, never, hub_side), arm)
    assert [f.action for f in result.findings] == [Action.RECORD, Action.CLEAR, Action.RECORD]
    recorded = result.deployment["resources"][3:]
    assert [r["urn"] for r in recorded] == [urn("hub-to-spoke"), urn("spoke-to-hub")]
    assert recorded[1]["dependencies"] == [urn("hub-to-spoke")]
    assert recorded[1]["propertyDependencies"] == {"use_remote_gateways": [urn("hub-to-spoke")]}


def test_limit_a_peering_with_identical_settings_made_by_someone_else_meanwhile_is_taken() -> None:
    """The documented limit: ARM keeps no creation time or author for a peering, so one made by someone else with
    exactly the create's settings, between the create's check and the kill, cannot be told apart."""
    assert only(run(deployment(pending("hub-to-spoke", inputs())), Arm(peering_json()))).action is Action.RECORD


# -- the evidence: check records that it found no peering of that name ------------------------------------------------


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[ArmClient]:
    arm, _ = make_client()
    monkeypatch.setattr(VirtualNetworkPeeringProvider, "client", lambda self: arm)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for vnet in (vnet_json("hub", ["10.0.0.0/16"]), vnet_json("spoke", ["10.1.0.0/16"])):
            rsps.get(ARM + vnet["id"], json=vnet)
        arm.rsps = rsps  # type: ignore[attr-defined]
        yield arm


def checked(olds: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    news = {
        "virtual_network_id": vnet_id("hub"),
        "remote_virtual_network_id": vnet_id("spoke"),
        "name": "hub-to-spoke",
        **extra,
    }
    result = VirtualNetworkPeeringProvider().check(olds or {}, news)
    assert not result.failures, result.failures
    return dict(result.inputs)


def serve_peerings(client: ArmClient, *bodies: dict[str, Any]) -> None:
    rsps: responses.RequestsMock = client.rsps  # type: ignore[attr-defined]
    rsps.get(ARM + vnet_id("hub") + "/virtualNetworkPeerings", json={"value": list(bodies)})
    rsps.get(ARM + vnet_id("spoke") + "/virtualNetworkPeerings", json={"value": []})
    rg = vnet_id("x").split("/providers/")[0]
    rsps.get(ARM + rg + "/providers/Microsoft.Network/virtualNetworkGateways", json={"value": []})


def test_check_of_a_create_records_that_the_peering_was_absent(client: ArmClient) -> None:
    serve_peerings(client)
    assert checked()[ABSENT_WHEN_CHECKED_KEY].endswith("+00:00")


def test_check_records_nothing_when_the_peering_exists_or_was_not_read(client: ArmClient) -> None:
    serve_peerings(client, peering_json())
    assert ABSENT_WHEN_CHECKED_KEY not in checked(adopt_existing=True)
    process_runtime().vnet_facts.clear()
    assert ABSENT_WHEN_CHECKED_KEY not in checked(preflight=False)


def test_check_of_an_existing_resource_records_nothing(client: ArmClient) -> None:
    serve_peerings(client)
    olds = {"virtual_network_id": vnet_id("hub"), "name": "hub-to-spoke", "remote_virtual_network_id": vnet_id("spoke")}
    assert ABSENT_WHEN_CHECKED_KEY not in checked(olds)
    # a replacement under another name is a new peering: its absence is recorded
    assert ABSENT_WHEN_CHECKED_KEY in checked({**olds, "name": "old-name"})


def test_a_created_peering_checks_to_the_inputs_its_create_stored(client: ArmClient) -> None:
    """The engine compares a same step's stored inputs with the checked ones and writes the whole checkpoint when
    they differ: dropping the create's evidence made every no-change `up` write an N-sized snapshot N times."""
    serve_peerings(client)
    stored = {**checked(), ABSENT_WHEN_CHECKED_KEY: "2025-12-31T23:59:00+00:00"}
    process_runtime().vnet_facts.clear()
    serve_peerings(client, peering_json())
    assert checked(stored) == stored
    assert checked(stored, preflight=False) == {**stored, "preflight": False}
    # another peering (a replacement under a new name) does not inherit the old one's evidence: it gets its own
    renamed = checked(stored, name="hub-to-spoke-2")
    assert renamed[ABSENT_WHEN_CHECKED_KEY] not in (None, stored[ABSENT_WHEN_CHECKED_KEY])
    # nor does a replacement under the same name (another remote vnet), here one the check does not read ARM for
    assert ABSENT_WHEN_CHECKED_KEY not in checked(stored, remote_virtual_network_id=vnet_id("other"), preflight=False)


def test_the_lookup_waits_for_a_write_arm_is_still_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed at the last write: ARM still reports Updating; recovery records the peering once it has settled."""
    from pulumi_azure_peering.provider import recovery

    answers = [peering_json(provisioning="Updating"), peering_json(provisioning="Updating"), peering_json()]

    class Client:
        poll_interval = 0.01

        def get_peering(self, pid: str, **_: Any) -> VirtualNetworkPeeringResource:
            return peering_from(answers.pop(0) if len(answers) > 1 else answers[0], pid)

    monkeypatch.setattr(recovery, "client_for", lambda settings: Client())
    lookup = recovery.arm_lookup({"azure-peering:armEndpoint": ARM}, wait_seconds=5)
    live = lookup(inputs(), PID)
    assert live is not None and live.properties.provisioning_state == "Succeeded"
