"""Who may touch a peering (docs/ownership.md), through the provider against the emulator over HTTPS.

Each test drives the provider in the engine's order (tests/provider_on_emulator/provider_env.py, ``Engine``); a
"run" is one provider process, so a new run starts with an empty ledger (the ``next_command`` fixture: a fresh
``Runtime``). What ARM holds afterwards is read from the emulator, never from the provider.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from pulumi_azure_peering.provider.arm import ArmClient
from pulumi_azure_peering.provider.errors import PeeringOperationError
from pulumi_azure_peering.provider.properties import RESOURCE_NAME_KEY
from pulumi_azure_peering.provider.runtime import Runtime, process_runtime
from tests.emulator_config import seeded_vnet
from tests.provider_on_emulator.provider_env import Engine, args, new_provider

pytestmark = pytest.mark.emulator

HUB_TO_PAYMENTS = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/vnet-hub-to-vnet-payments"


def writes(emu: Any, since: int) -> list[tuple[str, str]]:
    return [
        (r["method"], r["path"].rsplit("/", 1)[-1])
        for r in emu.request_log(since=since)
        if r["method"] in ("PUT", "DELETE") and "virtualNetworkPeerings" in r["path"]
    ]


def live(emu: Any, peering_id: str) -> dict[str, Any] | None:
    response = emu.arm("GET", peering_id)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_second_stack_cannot_take_or_delete_the_first_stacks_peering(
    emu: Any, next_command: Callable[[], Runtime]
) -> None:
    prod = Engine(new_provider())
    prod.up("hub-to-payments", args("vnet-hub", "vnet-payments"))
    next_command()
    staging = Engine(new_provider())  # same program, same config, its own (empty) state
    refused = staging.failures("hub-to-payments", args("vnet-hub", "vnet-payments"))
    assert "already exists" in refused["name"] and "another stack" in refused["name"]
    seq = emu.last_request_seq()
    # its `up` is refused before any write, even with the preflight off (the create reads under the vnet's lock)
    with pytest.raises(PeeringOperationError, match="already exists"):
        staging.up("hub-to-payments", args("vnet-hub", "vnet-payments", preflight=False))
    assert writes(emu, seq) == [] and staging.ids == {}
    assert live(emu, HUB_TO_PAYMENTS) is not None
    next_command()
    assert prod.refresh("hub-to-payments") is not None


def test_up_replace_deletes_then_recreates(emu: Any, next_command: Callable[[], Runtime]) -> None:
    engine = Engine(new_provider())
    engine.up("a", args("vnet-hub", "vnet-payments"))
    next_command()
    seq = emu.last_request_seq()
    assert engine.replace("a", args("vnet-hub", "vnet-payments")) == "replace"
    assert writes(emu, seq) == [("DELETE", "vnet-hub-to-vnet-payments"), ("PUT", "vnet-hub-to-vnet-payments")]
    assert live(emu, HUB_TO_PAYMENTS) is not None and engine.ids["a"].lower() == HUB_TO_PAYMENTS.lower()


def test_create_before_delete_on_the_same_id_is_refused_not_skipped(
    emu: Any, next_command: Callable[[], Runtime]
) -> None:
    """A program that sets delete_before_replace=False: `up --replace` would create first, on the id the old
    peering still holds. The create refuses it, and nothing is deleted."""
    engine = Engine(new_provider(), delete_before_replace=False)
    engine.up("a", args("vnet-hub", "vnet-payments"))
    next_command()
    seq = emu.last_request_seq()
    with pytest.raises(PeeringOperationError, match="already exists"):
        engine.replace("a", args("vnet-hub", "vnet-payments"))
    assert writes(emu, seq) == [] and live(emu, HUB_TO_PAYMENTS) is not None


def test_two_resources_of_one_program_naming_one_peering(emu: Any) -> None:
    engine = Engine(new_provider())
    engine.check("first", args("vnet-hub", "vnet-payments"))
    same_name = engine.failures("second", args("vnet-hub", "vnet-analytics", name="vnet-hub-to-vnet-payments"))
    assert "'first' and 'second' both name peering 'vnet-hub-to-vnet-payments'" in same_name["name"]
    same_link = engine.failures("third", args("vnet-hub", "vnet-payments", name="another-name"))
    assert "'first' and 'third' both peer vnet 'vnet-hub' with 'vnet-payments'" in same_link["name"]
    # a resource checked again (a replacement's second check, preview then up) is no conflict with itself
    engine.check("first", args("vnet-hub", "vnet-payments"))


def test_two_creates_of_one_peering_whose_ids_were_unknown_at_check(emu: Any) -> None:
    """Ids unknown at preview: no check could compare them. At `up` both creates run at once on the provider's
    threads; the read under the vnet's lock lets exactly one make the peering, and the other is refused naming it."""
    provider = new_provider()
    inputs = {name: {**args("vnet-hub", "vnet-payments", preflight=False), RESOURCE_NAME_KEY: name} for name in "ab"}
    results: dict[str, Any] = {}

    def create(name: str) -> None:
        try:
            results[name] = provider.create(inputs[name]).id
        except PeeringOperationError as exc:
            results[name] = exc

    threads = [threading.Thread(target=create, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    made = [n for n, r in results.items() if isinstance(r, str)]
    refused = [r for r in results.values() if isinstance(r, PeeringOperationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert f"resource {made[0]!r} of this program created or adopted" in str(refused[0])
    assert live(emu, HUB_TO_PAYMENTS) is not None


def test_another_writer_between_the_read_and_the_put_keeps_its_peering(
    emu: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes (two stacks' `up`) create one peering at the same moment: both read it absent. ARM answers
    201 to the PUT that made it and 200 to the other, which is refused, not taken."""
    provider = new_provider()
    real_get = ArmClient.get_peering
    body = {"properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-payments")}}}

    def get_then_another_writer(self: ArmClient, peering_id: str, **kwargs: Any) -> Any:
        found = real_get(self, peering_id, **kwargs)
        if found is None:  # the other stack's PUT lands right after this read
            assert emu.arm("PUT", peering_id, json=body).status_code == 201
            emu.finish_operations()
        return found

    monkeypatch.setattr(ArmClient, "get_peering", get_then_another_writer)
    with pytest.raises(PeeringOperationError, match=r"created by another writer.*answered 200"):
        provider.create({**args("vnet-hub", "vnet-payments", preflight=False), RESOURCE_NAME_KEY: "late"})
    monkeypatch.setattr(ArmClient, "get_peering", real_get)
    assert live(emu, HUB_TO_PAYMENTS) is not None  # the other writer's, still there
    assert process_runtime().ledger.taker(HUB_TO_PAYMENTS) is None


def test_rename_without_alias_with_adopt_the_old_delete_leaves_it(
    emu: Any, next_command: Callable[[], Runtime]
) -> None:
    """Renamed without an alias, the new resource adopting the pair: the old resource's delete must leave it,
    in the same run and when the run was killed between the adopt and the delete and is resumed."""
    engine = Engine(new_provider())
    engine.up("old", args("vnet-hub", "vnet-payments"))
    next_command()
    engine.up("new", args("vnet-hub", "vnet-payments", adopt_existing=True))
    seq = emu.last_request_seq()
    engine.destroy("old")  # the engine deletes the resource the program no longer has
    assert writes(emu, seq) == [] and live(emu, HUB_TO_PAYMENTS) is not None

    # killed between the two: the next run checks "new" (its state holds the peering) before deleting "old"
    next_command()
    engine.up("old", args("vnet-hub", "vnet-payments", name="vnet-hub-to-vnet-payments", adopt_existing=True))
    next_command()
    assert engine.up("new", args("vnet-hub", "vnet-payments", adopt_existing=True)) == "same"
    seq = emu.last_request_seq()
    engine.destroy("old")
    assert writes(emu, seq) == [] and live(emu, HUB_TO_PAYMENTS) is not None


def test_a_resource_moved_under_another_parent_without_an_alias_keeps_the_peering_it_adopted(
    emu: Any, next_command: Callable[[], Runtime]
) -> None:
    """Moved under another parent without an alias (a HubSpokePeering wrapped in a component of the program's own),
    a resource keeps its name and gets another URN: the engine creates the new one, which adopts the peering
    (adopt_existing), and then deletes the old one, both under the same name. The old one's delete must leave the
    peering the new one adopted in this run: deleted, it would be gone while the new state holds it."""
    provider = new_provider()
    old_urn = Engine(provider)
    old_urn.up("hub-payments", args("vnet-hub", "vnet-payments", adopt_existing=True))
    next_command()
    new_urn = Engine(provider)  # another URN, the same name
    assert new_urn.up("hub-payments", args("vnet-hub", "vnet-payments", adopt_existing=True)) == "create"
    seq = emu.last_request_seq()
    old_urn.destroy("hub-payments")  # the engine deletes the old URN after the program's registrations
    assert writes(emu, seq) == [] and live(emu, HUB_TO_PAYMENTS) is not None
    assert new_urn.ids["hub-payments"].lower() == HUB_TO_PAYMENTS.lower()


def test_a_replacements_delete_removes_a_peering_another_resource_only_names(
    emu: Any, next_command: Callable[[], Runtime]
) -> None:
    """A resource moves off its peering (a replacement: the hub is now peered with another spoke) while a new
    resource of the same run names that peering without adopting it (no preflight, so its check reads nothing).
    The replacement's delete removes the peering: left for the new resource, it would be in ARM and in no state,
    since that resource's create refuses a peering it does not adopt (and may never run when the run fails
    first). The new resource's create then makes it again. Found by test_ownership_model.py's random runs."""
    engine = Engine(new_provider())
    engine.up("a", args("vnet-hub", "vnet-payments"))
    next_command()
    engine.check("b", args("vnet-hub", "vnet-payments", preflight=False))  # the engine checks every resource first
    seq = emu.last_request_seq()
    assert engine.up("a", args("vnet-hub", "vnet-analytics", name="hub-analytics")) == "replace"
    assert engine.up("b", args("vnet-hub", "vnet-payments", preflight=False)) == "create"
    assert writes(emu, seq) == [
        ("DELETE", "vnet-hub-to-vnet-payments"),
        ("PUT", "hub-analytics"),
        ("PUT", "vnet-hub-to-vnet-payments"),
    ]
    assert engine.ids["b"].lower() == HUB_TO_PAYMENTS.lower() and live(emu, HUB_TO_PAYMENTS) is not None


def test_a_replacement_deletes_only_its_own_peering(emu: Any, next_command: Callable[[], Runtime]) -> None:
    """A resource renaming its peering replaces delete-first; the old peering is no conflict for its own
    replacement, and the old name stays refused for any other resource of the run."""
    engine = Engine(new_provider())
    engine.up("a", args("vnet-hub", "vnet-payments"))
    next_command()
    seq = emu.last_request_seq()
    assert engine.up("a", args("vnet-hub", "vnet-payments", name="hub-payments")) == "replace"
    assert writes(emu, seq) == [("DELETE", "vnet-hub-to-vnet-payments"), ("PUT", "hub-payments")]
    taken = engine.failures("b", args("vnet-hub", "vnet-payments"))
    assert "'a' and 'b' both peer vnet 'vnet-hub' with 'vnet-payments'" in taken["name"]


@pytest.mark.parametrize("spoke_first", [True, False], ids=["spoke-side-first", "hub-side-first"])
def test_a_pair_declared_in_one_program_with_transit_on_one_side_only(
    emu: Any, spoke_first: bool, next_command: Callable[[], Runtime]
) -> None:
    """The spoke side uses the hub's gateway, the hub side (same program) does not allow transit: ARM would refuse
    the spoke side at `up` (its transit refusal, after a minute of retries). Whichever side is
    checked second fails the preview, naming both resources; nothing is written."""
    engine = Engine(new_provider())
    seq = emu.last_request_seq()
    spoke = ("spoke-side", args("vnet-analytics", "vnet-hub", use_remote_gateways=True))
    hub = ("hub-side", args("vnet-hub", "vnet-analytics"))
    first, second = (spoke, hub) if spoke_first else (hub, spoke)
    engine.check(*first)
    failures = engine.failures(*second)
    field = "allow_gateway_transit" if spoke_first else "use_remote_gateways"
    # ARM's known words for that refusal, not a code nobody has seen it send
    assert "corresponding remote peering has AllowGatewayTransit flag set to false" in failures[field], failures
    assert "RemotePeeringDoesNotAllowGatewayTransit" not in failures[field], failures
    assert "'spoke-side'" in failures[field] and "'hub-side'" in failures[field]
    assert writes(emu, seq) == []
    next_command()  # with transit on the hub side, the same pair passes
    engine.check("hub-side", args("vnet-hub", "vnet-analytics", allow_gateway_transit=True))
    engine.check(*spoke)
