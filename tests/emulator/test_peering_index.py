"""The store's index of peerings (by remote vnet, by use of remote gateways) answers what a full scan of the stored
peerings would, in the same order, through creates, updates and deletes of peerings and of vnets (a peering left
pointing at a deleted vnet, a vnet created again with the same id), a restart and a rolled-back transaction.

A peering write's checks look its vnet's other peerings up in that index instead of parsing all of them (issue 29),
so an index that drifted from the documents would make the emulator accept or refuse the wrong writes.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.emulator import errors, ids
from pulumi_azure_peering.emulator import store as st
from pulumi_azure_peering.emulator.app import Emulator
from pulumi_azure_peering.emulator.models.peerings import Peering
from pulumi_azure_peering.emulator.scheduler import LroPlan
from pulumi_azure_peering.emulator.services import Conditions
from pulumi_azure_peering.emulator.services.network import NetworkService

TENANT = "11111111-1111-1111-1111-111111111111"
SUB = "22222222-2222-2222-2222-222222222222"
RG = "rg"

pytestmark = pytest.mark.emulator


def _vnet_id(name: str) -> str:
    return ids.vnet_id(SUB, RG, name)


def _seed() -> dict[str, Any]:
    hub = {
        "name": "hub",
        "addressPrefixes": ["172.16.0.0/16"],
        "subnets": [{"name": "GatewaySubnet", "addressPrefix": "172.16.255.0/27"}],
        "gateway": {"name": "vgw-hub", "sku": "VpnGw1", "provisioningSeconds": 0},
        "peerings": [
            {"name": f"hub-to-s{i}", "remoteVirtualNetwork": {"name": f"s{i}"}, "allowGatewayTransit": True}
            for i in range(4)
        ],
    }
    spokes = [
        {
            "name": f"s{i}",
            "addressPrefixes": [f"10.0.{i}.0/24"],
            "peerings": [{"name": f"s{i}-to-hub", "remoteVirtualNetwork": {"name": "hub"}, "useRemoteGateways": True}]
            if i < 3
            else [],
        }
        for i in range(6)
    ]
    return {
        "tenants": [{"tenantId": TENANT, "subscriptions": [{"subscriptionId": SUB}]}],
        "defaults": {"gatewayProvisioningSeconds": 0},
        "resourceGroups": [
            {"subscriptionId": SUB, "name": RG, "location": "westeurope", "virtualNetworks": [hub, *spokes]}
        ],
    }


def _scanned(net: NetworkService, vnet_key: str, remote_key: str) -> dict[str, Any]:
    """What the indexed lookups must answer, from a scan of every stored peering."""
    all_docs = net.store.all(st.PEERING)
    mine = [Peering.from_doc(d) for d in all_docs if ids.key(d["vnet_id"]) == vnet_key]
    between = [p for p in mine if ids.key(p.remote_vnet_id) == remote_key]
    return {
        "count": len(mine),
        "between": [p.id for p in between],
        "first": between[0].id if between else None,
        "gateways": [p.id for p in mine if p.use_remote_gateways],
        "spaces": [(p.remote_vnet_id, p.remote_synced) for p in mine],
        "to": [Peering.from_doc(d).id for d in all_docs if ids.key(d["remote_vnet_id"]) == vnet_key],
    }


def _indexed(net: NetworkService, vnet_key: str, remote_key: str) -> dict[str, Any]:
    first = net.peering_between(vnet_key, remote_key)
    return {
        "count": net.peering_count(vnet_key),
        "between": [p.id for p in net.peerings_between(vnet_key, remote_key)],
        "first": first.id if first else None,
        "gateways": [p.id for p in net.peerings_using_remote_gateways(vnet_key)],
        "spaces": net.remote_spaces(vnet_key),
        "to": [p.id for p in net.peerings_to(vnet_key)],
    }


def _assert_index_matches_scan(net: NetworkService, step: str) -> None:
    names = ["hub", *(f"s{i}" for i in range(6)), "gone"]
    keys = [ids.key(_vnet_id(n)) for n in names]
    for vnet_key in keys:
        for remote_key in keys:
            assert _indexed(net, vnet_key, remote_key) == _scanned(net, vnet_key, remote_key), (
                step,
                vnet_key,
                remote_key,
            )


def _write_kw() -> dict[str, Any]:
    return {"conditions": Conditions(), "api_version": "2025-05-01", "base_url": "https://emulator", "plan": LroPlan()}


def _put_peering(net: NetworkService, vnet: str, name: str, remote: str, **props: Any) -> None:
    body = {"properties": {"remoteVirtualNetwork": {"id": _vnet_id(remote)}, **props}}
    net.put_peering(SUB, RG, vnet, name, body, sync_remote=False, **_write_kw())
    net.finish_pending()


def test_the_peering_index_answers_what_a_scan_of_the_peerings_does(tmp_path: Path) -> None:
    emulator = Emulator(tmp_path / "emu", log=lambda _: None)
    try:
        emulator.apply_seed(_seed())
        net = emulator.network
        _assert_index_matches_scan(net, "seeded")

        _put_peering(net, "hub", "hub-to-s4", "s4", allowGatewayTransit=True)  # create, one-sided
        _put_peering(net, "s4", "s4-to-hub", "hub", useRemoteGateways=True)  # create, connects the hub's side
        _assert_index_matches_scan(net, "created")

        # updates: a spoke stops using the hub's gateway, an older one starts again; a flag that is not indexed
        _put_peering(net, "s0", "s0-to-hub", "hub")
        _assert_index_matches_scan(net, "s0 stops using the gateway")
        _put_peering(net, "s0", "s0-to-hub", "hub", useRemoteGateways=True, allowForwardedTraffic=True)
        _put_peering(net, "hub", "hub-to-s1", "s1", allowGatewayTransit=True, allowForwardedTraffic=True)
        _assert_index_matches_scan(net, "updated")

        net.delete_peering(SUB, RG, "s2", "s2-to-hub", **_write_kw())
        net.finish_pending()
        _assert_index_matches_scan(net, "peering deleted")

        # a vnet deleted: its peerings go, those pointing at it stay (Disconnected) and still count for its id
        net.delete_vnet(SUB, RG, "s1", **_write_kw())
        net.finish_pending()
        assert net.peerings_to(ids.key(_vnet_id("s1"))), "the hub's peering to the deleted s1 stays"
        _assert_index_matches_scan(net, "vnet deleted")

        # the same id again: the hub's old peering points at it
        body = {"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.0.1.0/24"]}}}
        net.put_vnet(SUB, RG, "s1", body, **_write_kw())
        net.finish_pending()
        _assert_index_matches_scan(net, "vnet created again")
        _put_peering(net, "s5", "s5-to-s1", "s1")
        _put_peering(net, "s1", "s1-to-s5", "s5")
        _assert_index_matches_scan(net, "re-created vnet peered")

        # a refused write changes nothing; a rolled-back transaction reloads the store's copy, index included
        with pytest.raises(errors.ArmError, match="already references remote virtual network"):
            _put_peering(net, "s1", "s1-to-s5-again", "s5")
        hub_to_s0 = ids.key(ids.peering_id(_vnet_id("hub"), "hub-to-s0"))
        with pytest.raises(RuntimeError), net.store.transaction():
            net.store.delete(st.PEERING, hub_to_s0)
            raise RuntimeError("roll back")
        assert net.store.get(st.PEERING, hub_to_s0) is not None
        _assert_index_matches_scan(net, "rolled back")
    finally:
        emulator.close()

    restarted = Emulator(tmp_path / "emu", log=lambda _: None)
    try:
        _assert_index_matches_scan(restarted.network, "restarted")
    finally:
        restarted.close()


def test_find_keeps_creation_order_whatever_the_updates(tmp_path: Path) -> None:
    """Random puts (terms added, dropped, kept), deletes and re-creates on the store itself: ``find`` equals a scan of
    ``children`` (or of every document) filtered by the terms, in the same order, also after reopening the file."""
    rng = random.Random(29)
    path = tmp_path / "state.sqlite3"
    store = st.SqliteStore(path)
    terms_of = lambda doc: doc["terms"]  # noqa: E731
    store.index(st.PEERING, terms_of)
    parents, terms = ["a", "b"], ["x", "y", "z"]

    def check(s: st.SqliteStore) -> None:
        for term in terms:
            everything = [d for d in s.all(st.PEERING) if term in d["terms"]]
            assert s.find(st.PEERING, term) == sorted(everything, key=lambda d: d["created"])
            for parent in parents:
                children = [d for d in s.children(st.PEERING, parent) if term in d["terms"]]
                assert s.find(st.PEERING, term, parent) == children
                assert s.count_children(st.PEERING, parent) == len(s.children(st.PEERING, parent))

    created = 0
    for _ in range(400):
        key = f"k{rng.randrange(12)}"
        if rng.random() < 0.2:
            store.delete(st.PEERING, key)
        else:
            existing = store.get(st.PEERING, key)
            parent = existing["parent"] if existing else rng.choice(parents)
            if existing is None:
                created += 1
            doc = {
                "parent": parent,
                "created": existing["created"] if existing else created,
                "terms": rng.sample(terms, rng.randrange(len(terms) + 1)),
            }
            store.put(st.PEERING, key, doc, parent=parent)
        check(store)
    store.close()
    reopened = st.SqliteStore(path)
    reopened.index(st.PEERING, terms_of)
    check(reopened)
    reopened.close()
