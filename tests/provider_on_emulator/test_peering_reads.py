"""A refresh's peering reads answered by listings (``provider.peering_reads``), through the emulator over HTTPS
with real credentials: which ARM calls they make, and that their answers are the ones a GET of each peering gives."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from harness.topology import vnet_id
from pulumi_azure_peering.provider.arm import EXPIRED_TOKEN_REFRESHES, Deadline
from pulumi_azure_peering.provider.peering_reads import GROUP_LIST_AFTER, PeeringReads
from pulumi_azure_peering.provider.runtime import Runtime
from tests.emulator_config import PARTNER_TENANT, SUB_HUB, SUB_SPOKES
from tests.provider_on_emulator.provider_env import estate, new_provider

pytestmark = pytest.mark.emulator

NETWORKS = "providers/Microsoft.Network/virtualNetworks"
HUB = vnet_id(SUB_HUB, "rg-readhub", "vnet-rhub")
ZONE = f"/subscriptions/{SUB_SPOKES}/resourceGroups/rg-readlz/{NETWORKS}"
SPOKES = [f"vnet-r{i}" for i in range(GROUP_LIST_AFTER + 2)]


def hub_side(spoke: str) -> str:
    return f"{HUB}/virtualNetworkPeerings/hub-to-{spoke}"


def spoke_side(spoke: str) -> str:
    return f"{ZONE}/{spoke}/virtualNetworkPeerings/{spoke}-to-hub"


@pytest.fixture
def emu(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The default estate plus a hub in a group of its own peered with the spokes of one landing-zone group."""
    groups = [
        {
            "subscriptionId": SUB_HUB,
            "name": "rg-readhub",
            "location": "westeurope",
            "virtualNetworks": [
                {
                    "name": "vnet-rhub",
                    "addressPrefixes": ["10.100.0.0/16"],
                    "subnets": [],
                    "peerings": [
                        {"name": f"hub-to-{s}", "remoteVirtualNetwork": f"{ZONE}/{s}", "allowForwardedTraffic": True}
                        for s in SPOKES
                    ],
                }
            ],
        },
        {
            "subscriptionId": SUB_SPOKES,
            "name": "rg-readlz",
            "location": "westeurope",
            "virtualNetworks": [
                {
                    "name": s,
                    "addressPrefixes": [f"10.{110 + i}.0.0/16"],
                    "subnets": [],
                    "peerings": [{"name": f"{s}-to-hub", "remoteVirtualNetwork": HUB}],
                }
                for i, s in enumerate(SPOKES)
            ],
        },
    ]
    with estate(emulator, monkeypatch, groups):
        yield emulator


def arm_reads(emu: Any, since: int) -> list[str]:
    return [r["path"] for r in emu.request_log(since=since) if r["method"] == "GET" and "/subscriptions/" in r["path"]]


def test_a_refresh_lists_the_hub_and_the_landing_zone_once_with_the_answers_of_single_reads(
    emu: Any, monkeypatch: pytest.MonkeyPatch, runtime: Runtime, next_command: Callable[[], Runtime]
) -> None:
    monkeypatch.setattr(runtime.peering_reads, "_share", 600.0)  # a loaded machine must not outlast the window
    provider = new_provider()
    ids = [hub_side(s) for s in SPOKES] + [spoke_side(s) for s in SPOKES]
    seq = emu.last_request_seq()
    outputs = {peering_id: provider.read(peering_id, {}).outs or {} for peering_id in ids}
    reads = arm_reads(emu, seq)

    # The hub: its first peering by GET, then one GET of the vnet, which shows every peering of it. The zone: GETs
    # until the group has been asked for GROUP_LIST_AFTER peerings, then one listing of its vnets (each with its
    # peerings).
    expected = [
        hub_side(SPOKES[0]),
        HUB,
        *[spoke_side(s) for s in SPOKES[: GROUP_LIST_AFTER - 1]],
        ZONE,
    ]
    assert reads == expected, reads
    assert all(out["peering_state"] == "Connected" for out in outputs.values()), outputs

    for peering_id in ids:  # each read again as the only read of its process: a GET
        next_command()
        assert provider.read(peering_id, {}).outs == outputs[peering_id], peering_id


def test_a_write_of_the_process_retires_every_listing(emu: Any) -> None:
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=600.0)  # only the write can make the listing stale here
    first, second = hub_side(SPOKES[0]), hub_side(SPOKES[1])
    reads.get(client, first)
    listed = reads.get(client, second)
    assert listed is not None and listed.properties.allow_forwarded_traffic is True  # listed

    body = {"properties": {"remoteVirtualNetwork": {"id": f"{ZONE}/{SPOKES[1]}"}, "allowForwardedTraffic": False}}
    client.put_peering(second, body, deadline=Deadline(60))

    seq = emu.last_request_seq()
    again = reads.get(client, second)
    assert again is not None and again.properties.allow_forwarded_traffic is False
    assert arm_reads(emu, seq) == [HUB]  # listed again, after the write


def test_a_peering_the_listing_does_not_show_is_read_alone_and_reported_gone(emu: Any) -> None:
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=600.0)
    gone = hub_side(SPOKES[-1])
    assert client.delete_peering(gone, deadline=Deadline(60)) is True
    reads.get(client, hub_side(SPOKES[0]))
    reads.get(client, hub_side(SPOKES[1]))  # lists the hub's peerings

    seq = emu.last_request_seq()
    assert reads.get(client, gone) is None
    assert arm_reads(emu, seq) == [gone]


def test_a_group_that_cannot_be_listed_is_read_peering_by_peering(emu: Any) -> None:
    emu.set_faults(f"expire=1.0;match=GET:/resourcegroups/rg-readlz/{NETWORKS.lower()}$")
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=600.0)
    seq = emu.last_request_seq()
    answers = [reads.get(client, spoke_side(s)) for s in SPOKES]
    assert [a.name if a else None for a in answers] == [f"{s}-to-hub" for s in SPOKES]
    assert emu.faults()["injected"], "the listing was refused"
    # one listing tried (refused each time the client asked for a fresh token), never again; every peering read
    # by its own GET
    paths = arm_reads(emu, seq)
    assert sorted(set(paths)) == sorted([ZONE, *map(spoke_side, SPOKES)]), paths
    assert paths.count(ZONE) == EXPIRED_TOKEN_REFRESHES + 1, paths


def test_readers_naming_other_tenants_do_not_share_a_listing(emu: Any) -> None:
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=600.0)
    reads.get(client, hub_side(SPOKES[0]))
    reads.get(client, hub_side(SPOKES[1]))  # lists the hub's peerings for readers naming no tenant
    seq = emu.last_request_seq()
    reads.get(client, hub_side(SPOKES[2]), auxiliary_tenant_ids=[PARTNER_TENANT])
    assert arm_reads(emu, seq) == [hub_side(SPOKES[2])]


def test_nothing_is_listed_while_a_write_of_the_process_is_in_flight(emu: Any) -> None:
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=600.0)
    seq = emu.last_request_seq()
    with client.writes.writing():
        for spoke in SPOKES[:3]:
            reads.get(client, hub_side(spoke))
    assert arm_reads(emu, seq) == [hub_side(s) for s in SPOKES[:3]]


def test_a_listing_answers_within_its_window_only(emu: Any) -> None:
    now = [0.0]
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=3.0, clock=lambda: now[0])
    reads.get(client, hub_side(SPOKES[0]))
    reads.get(client, hub_side(SPOKES[1]))  # listed at t=0
    now[0] = 2.9
    seq = emu.last_request_seq()
    reads.get(client, hub_side(SPOKES[2]))
    assert arm_reads(emu, seq) == []
    now[0] = 3.0
    reads.get(client, hub_side(SPOKES[3]))
    assert arm_reads(emu, seq) == [HUB]


def test_a_vnet_whose_peerings_take_several_pages_is_read_in_one_call(emu: Any) -> None:
    # ARM pages a listing of the peerings (one round trip per page, one after the other); the vnet's GET shows
    # them all at once, and each answer is the one a GET of the peering gives.
    emu.settings(page_size=2)
    client = new_provider().client()
    alone = {s: client.get_peering(hub_side(s)) for s in SPOKES}
    reads = PeeringReads(client.writes, share_seconds=600.0)
    seq = emu.last_request_seq()
    assert {s: reads.get(client, hub_side(s)) for s in SPOKES} == alone
    assert arm_reads(emu, seq) == [hub_side(SPOKES[0]), HUB]


def test_a_vnet_that_cannot_be_read_has_its_peerings_listed_page_by_page(emu: Any) -> None:
    emu.settings(page_size=2)
    emu.set_faults(f"403=1.0;match=GET:/resourcegroups/rg-readhub/{NETWORKS.lower()}/vnet-rhub$")
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=600.0)
    seq = emu.last_request_seq()
    names = [reads.get(client, hub_side(s)).name for s in SPOKES]  # type: ignore[union-attr]
    assert names == [f"hub-to-{s}" for s in SPOKES]
    pages = len(SPOKES) // 2
    assert arm_reads(emu, seq) == [hub_side(SPOKES[0]), HUB] + [f"{HUB}/virtualNetworkPeerings"] * pages


def test_readers_at_once_wait_for_one_listing_and_take_its_answers(emu: Any) -> None:
    client = new_provider().client()
    ids = [hub_side(s) for s in SPOKES] + [spoke_side(s) for s in SPOKES]
    alone = {peering_id: client.get_peering(peering_id) for peering_id in ids}
    reads = PeeringReads(client.writes, share_seconds=600.0)
    seq = emu.last_request_seq()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = dict(zip(ids, pool.map(lambda peering_id: reads.get(client, peering_id), ids), strict=True))
    assert answers == alone
    paths = arm_reads(emu, seq)
    assert paths.count(HUB) == 1, paths
    assert f"{HUB}/virtualNetworkPeerings" not in paths, paths
    assert paths.count(ZONE) <= 1, paths
    assert len(paths) < len(ids), paths


def test_a_listing_refused_while_others_waited_is_not_tried_again(emu: Any) -> None:
    hub_path = f"/resourcegroups/rg-readhub/{NETWORKS.lower()}/vnet-rhub"
    emu.set_faults(f"expire=1.0;match=GET:{hub_path}$,GET:{hub_path}/virtualnetworkpeerings$")
    client = new_provider().client()
    reads = PeeringReads(client.writes, share_seconds=600.0)
    seq = emu.last_request_seq()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda spoke: reads.get(client, hub_side(spoke)), SPOKES))
    assert [a.name if a else None for a in answers] == [f"hub-to-{s}" for s in SPOKES]
    paths = arm_reads(emu, seq)
    # the vnet's GET, refused each time the client asked for a fresh token; its peerings' listing would be refused
    # alike: not tried
    assert paths.count(HUB) == EXPIRED_TOKEN_REFRESHES + 1, paths
    assert f"{HUB}/virtualNetworkPeerings" not in paths, paths


def test_a_reader_waiting_for_a_listing_is_answered_by_the_first_page_that_shows_its_peering(emu: Any) -> None:
    # One vnet per page of the landing zone's listing, each page a second late: the listing takes len(SPOKES)
    # seconds, and a reader that joins it for the first spoke's peering has its answer from the first page, while
    # the listing still runs.
    emu.settings(page_size=1)
    emu.set_faults(f"slow=1.0:1.0;match=GET:/resourcegroups/rg-readlz/{NETWORKS.lower()}$")
    client = new_provider().client()
    alone = client.get_peering(spoke_side(SPOKES[0]))
    reads = PeeringReads(client.writes, share_seconds=600.0)
    seq = emu.last_request_seq()
    # A GET of another spoke (a second read of the same vnet would list that vnet alone); the next read in the
    # group lists its vnets.
    reads.get(client, spoke_side(SPOKES[2]))
    with ThreadPoolExecutor(max_workers=1) as pool:
        lister = pool.submit(reads.get, client, spoke_side(SPOKES[-1]))  # on the last page
        while ZONE not in arm_reads(emu, seq) and not lister.done():
            time.sleep(0.01)  # the listing's first page has been asked for
        joined = reads.get(client, spoke_side(SPOKES[0]))
        listing_ran_on = not lister.done()
        last = lister.result()
    assert listing_ran_on, "the reader waited for the listing's last page"
    assert joined == alone
    assert last is not None and last.name == f"{SPOKES[-1]}-to-hub"
    assert arm_reads(emu, seq) == [spoke_side(SPOKES[2])] + [ZONE] * len(SPOKES)
