"""Many vnets read at once (``get_virtual_networks``), against the emulator over HTTPS with real credentials: a
resource group holding several of them is listed once instead of read vnet by vnet, with the same facts, and a
group that cannot be listed is still read, one GET per vnet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pulumi_azure_peering.components.hub_spoke import look_up_facts
from pulumi_azure_peering.components.topology import HubSpokeSpec, SpokeSpec
from pulumi_azure_peering.provider import (
    PeeringError,
    get_virtual_network,
    get_virtual_networks,
    settings_for_program,
)
from pulumi_azure_peering.provider.errors import TenantNotConfiguredError
from pulumi_azure_peering.provider.runtime import process_runtime
from pulumi_azure_peering.provider.vnet_facts import LIST_MIN_VNETS
from tests.emulator_config import PARTNER_TENANT, SUB_PARTNER, SUB_SPOKES, seeded_vnet
from tests.provider_on_emulator.provider_env import estate

pytestmark = pytest.mark.emulator

LANDING = f"/subscriptions/{SUB_SPOKES}/resourceGroups/rg-landing/providers/Microsoft.Network/virtualNetworks"
LANDING_VNETS = [f"vnet-lz{i}" for i in range(LIST_MIN_VNETS + 1)]
#: A partner tenant's landing zone: its vnets are read with a token of that tenant (auxiliary_tenant_ids).
PARTNER_LZ = f"/subscriptions/{SUB_PARTNER}/resourceGroups/rg-partner-lz/providers/Microsoft.Network/virtualNetworks"
PARTNER_VNETS = [f"vnet-plz{i}" for i in range(LIST_MIN_VNETS)]


def found(answer: dict[str, Any] | PeeringError | None) -> dict[str, Any]:
    """A vnet ``get_virtual_networks`` found (not None, not an error)."""
    assert isinstance(answer, dict), answer
    return answer


def landing(name: str) -> str:
    return f"{LANDING}/{name}"


def landing_zone(subscription: str, group: str, names: list[str], *, first_octet: int) -> dict[str, Any]:
    """An emulator seed's resource group of vnets ``10.<first_octet + i>.0.0/16``, one per name."""
    return {
        "subscriptionId": subscription,
        "name": group,
        "location": "westeurope",
        "virtualNetworks": [
            {"name": name, "addressPrefixes": [f"10.{first_octet + i}.0.0/16"], "subnets": []}
            for i, name in enumerate(names)
        ],
    }


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The default estate plus two landing-zone groups (ours, a partner tenant's), the provider's environment
    pointed at it."""
    groups = [
        landing_zone(SUB_SPOKES, "rg-landing", LANDING_VNETS, first_octet=60),
        landing_zone(SUB_PARTNER, "rg-partner-lz", PARTNER_VNETS, first_octet=80),
    ]
    with estate(emulator, monkeypatch, groups):
        yield emulator


def vnet_reads(emu: Any, since: int) -> list[str]:
    """The paths of the ARM GETs on virtual networks (or their listings) since ``since``."""
    return [
        r["path"]
        for r in emu.request_log(since=since)
        if r["method"] == "GET" and "/virtualnetworks" in r["path"].lower() and "/operations/" not in r["path"]
    ]


def test_a_group_of_spokes_is_listed_once_with_the_facts_its_vnets_read_alone(emu: Any) -> None:
    wanted = {landing(name): () for name in LANDING_VNETS} | {
        seeded_vnet("vnet-hub"): (),
        seeded_vnet("vnet-payments"): (),
    }
    seq = emu.last_request_seq()
    answers = get_virtual_networks(wanted)
    reads = vnet_reads(emu, seq)

    # One listing for the five landing-zone spokes; the hub and the lone spoke of rg-spokes by their own GET.
    assert sorted(reads) == sorted([LANDING, seeded_vnet("vnet-hub"), seeded_vnet("vnet-payments")]), reads
    process_runtime().vnet_facts.clear()
    alone = {vnet_id: get_virtual_network(vnet_id) for vnet_id in wanted}
    assert answers == alone
    assert found(answers[landing("vnet-lz0")])["address_prefixes"] == ["10.60.0.0/16"]

    # Within the cache's lifetime nothing is read again.
    seq = emu.last_request_seq()
    assert get_virtual_networks(wanted) == answers
    assert vnet_reads(emu, seq) == []


def test_a_vnet_the_listing_does_not_show_is_read_alone_and_reported_missing(emu: Any) -> None:
    wanted = {landing(name): () for name in [*LANDING_VNETS, "vnet-lz-gone"]}
    seq = emu.last_request_seq()
    answers = get_virtual_networks(wanted)
    assert answers[landing("vnet-lz-gone")] is None
    assert all(isinstance(answers[landing(name)], dict) for name in LANDING_VNETS)
    assert sorted(vnet_reads(emu, seq)) == sorted([LANDING, landing("vnet-lz-gone")])


def test_a_group_that_cannot_be_listed_is_read_vnet_by_vnet(emu: Any) -> None:
    # ARM refuses the listing (the token is refused at the group's scope, every time); the vnets themselves can
    # be read, as when the identity holds Reader on each vnet but not on the group.
    emu.set_faults("expire=1.0;match=GET:/resourcegroups/rg-landing/providers/microsoft.network/virtualnetworks$")
    wanted = {landing(name): () for name in LANDING_VNETS}
    seq = emu.last_request_seq()
    answers = get_virtual_networks(wanted)
    assert not any(isinstance(a, PeeringError) for a in answers.values()), answers
    assert [found(answers[landing(name)])["name"] for name in LANDING_VNETS] == LANDING_VNETS
    reads = vnet_reads(emu, seq)
    assert sorted(set(reads)) == sorted([LANDING, *map(landing, LANDING_VNETS)]), reads
    assert emu.faults()["injected"], "the listing was refused"


def test_a_partner_tenants_group_is_listed_with_that_tenants_token(emu: Any) -> None:
    partner = [f"{PARTNER_LZ}/{name}" for name in PARTNER_VNETS]
    seq = emu.last_request_seq()
    answers = get_virtual_networks({vnet_id: (PARTNER_TENANT,) for vnet_id in partner})
    assert [found(answers[v])["address_prefixes"] for v in partner] == [
        [f"10.{80 + i}.0.0/16"] for i in range(len(partner))
    ]
    # One listing (the first request of the process to that subscription meets ARM's challenge naming its tenant).
    listed = [r for r in emu.request_log(since=seq) if "/virtualnetworks" in r["path"].lower()]
    assert {r["path"] for r in listed} == {PARTNER_LZ}, listed
    assert [r["status"] for r in listed if r["status"] != 401] == [200], listed

    # Cached now, and the process knows the partner's tenant: a lookup that does not name it is still refused,
    # as in a process that learned nothing, and names the tenant to add; so is a single vnet's (the preflight's)
    # lookup. Both from the cache: no request.
    seq = emu.last_request_seq()
    unnamed = get_virtual_networks({partner[0]: ()})[partner[0]]
    assert isinstance(unnamed, TenantNotConfiguredError), unnamed
    assert PARTNER_TENANT in str(unnamed) and "auxiliary_tenant_ids" in str(unnamed)
    runtime = process_runtime()
    client = runtime.client_for(settings_for_program(None))
    assert runtime.vnet_facts.get(client, partner[1], auxiliary_tenant_ids=[PARTNER_TENANT]) is not None
    with pytest.raises(TenantNotConfiguredError, match=PARTNER_TENANT):
        runtime.vnet_facts.get(client, partner[1])
    assert emu.request_log(since=seq) == []


def test_a_listing_pages_only_until_every_wanted_vnet_was_seen(emu: Any) -> None:
    emu.settings(page_size=2)
    first_four = {landing(name): () for name in LANDING_VNETS[:4]}  # the group's fifth vnet is on page 3
    seq = emu.last_request_seq()
    answers = get_virtual_networks(first_four)
    assert all(isinstance(a, dict) for a in answers.values()), answers
    assert vnet_reads(emu, seq) == [LANDING, LANDING]

    # A partner tenant's listing keeps that tenant's token on its next pages (else it would fall back to GETs).
    partner = {f"{PARTNER_LZ}/{name}": (PARTNER_TENANT,) for name in PARTNER_VNETS}
    seq = emu.last_request_seq()
    answers = get_virtual_networks(partner)
    assert all(isinstance(a, dict) for a in answers.values()), answers
    pages = [r for r in emu.request_log(since=seq) if "/virtualnetworks" in r["path"].lower() and r["status"] == 200]
    assert [r["path"] for r in pages] == [PARTNER_LZ, PARTNER_LZ], pages


def test_settings_that_cannot_be_resolved_are_one_problem_per_vnet_not_a_crash(
    emu: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_PEERING_ARM_ENDPOINT", "http://127.0.0.1:1")
    spec = HubSpokeSpec(
        hub_vnet_id=seeded_vnet("vnet-hub"), spokes={name: SpokeSpec(vnet_id=landing(name)) for name in LANDING_VNETS}
    )
    facts, problems = look_up_facts(spec)
    assert facts == {}
    assert len(problems) == 1, problems  # the same error for every vnet is said once, naming each argument
    assert "hub_vnet_id" in problems[0] and all(f'spokes["{n}"].vnet_id' in problems[0] for n in LANDING_VNETS)
    assert "plain http" in problems[0] and "allowInsecureLoopback" in problems[0], problems
