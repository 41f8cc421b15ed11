"""The store's index of peerings (by remote vnet, by use of remote gateways) answers what a full scan of the stored
peerings would, in the same order, through creates, updates and deletes of peerings and of vnets (a peering left
pointing at a deleted vnet, a vnet created again with the same id), a restart and a rolled-back transaction.

A peering write's checks look its vnet's other peerings up in that index instead of parsing all of them (issue 29),
so an index that drifted from the documents would make the emulator accept or refuse the wrong writes. The same
holds for the address spaces already peered to each vnet (services/peered_spaces.py), which the overlap checks look
up instead of comparing with every vnet peered to either side: they must equal a scan of the stored peerings and
vnets through a random walk of the service's writes.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.emulator import errors, ids, netmath, rules
from pulumi_azure_peering.emulator import store as st
from pulumi_azure_peering.emulator.app import Emulator
from pulumi_azure_peering.emulator.models.peerings import Peering
from pulumi_azure_peering.emulator.models.virtual_networks import Subnet, VirtualNetwork
from pulumi_azure_peering.emulator.scheduler import LroPlan
from pulumi_azure_peering.emulator.services import Conditions
from pulumi_azure_peering.emulator.services.network import NetworkService
from pulumi_azure_peering.emulator.services.peered_spaces import PeeredSpaces

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
        "partners": _partners_scanned(net.store, vnet_key),
        "to": [Peering.from_doc(d).id for d in all_docs if ids.key(d["remote_vnet_id"]) == vnet_key],
    }


def _indexed(net: NetworkService, vnet_key: str, remote_key: str) -> dict[str, Any]:
    first = net.peering_between(vnet_key, remote_key)
    return {
        "count": net.peering_count(vnet_key),
        "between": [p.id for p in net.peerings_between(vnet_key, remote_key)],
        "first": first.id if first else None,
        "gateways": [p.id for p in net.peerings_using_remote_gateways(vnet_key)],
        "partners": net.peered_spaces.partners(vnet_key),
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


# --- the address spaces peered to each vnet (the overlap checks of a peering write) -----------------------------

OVERLAP_CODES = ("VnetAddressSpaceOverlapsWithAlreadyPeeredVnet", "VnetAddressSpacesOverlap")
#: Address spaces the random walk gives its vnets: equal, nested, disjoint, dual-stack, so that links overlap often.
SPACES = [
    ["10.0.0.0/16"],
    ["10.0.0.0/17"],
    ["10.0.128.0/17"],
    ["10.1.0.0/16"],
    ["10.0.0.0/8"],
    ["10.2.0.0/16", "fd00:2::/48"],
    ["fd00::/32"],
    ["10.3.0.0/16", "10.4.0.0/16"],
    ["10.0.0.0/16", "10.9.0.0/16"],  # grows ["10.0.0.0/16"] with its subnets as they are
]


def _vnet_body(space: list[str], rng: random.Random) -> dict[str, Any]:
    """A vnet with ``space`` and a subnet "sn" (what a subnet peering selects) holding its first or last prefix."""
    return {
        "location": "westeurope",
        "properties": {
            "addressSpace": {"addressPrefixes": space},
            "subnets": [{"name": "sn", "properties": {"addressPrefixes": rng.choice([space[:1], space[-1:]])}}],
        },
    }


def _partners_scanned(store: st.Store, vnet_key: str) -> list[tuple[str, list[str]]]:
    """The vnets peered to ``vnet_key`` with their peered prefixes, in the order the overlap rule names them, from
    a scan of every stored peering (what the rule computed before the index)."""
    docs = store.all(st.PEERING)  # in creation order
    found: dict[str, tuple[str, list[str]]] = {}
    for d in docs:
        if ids.key(d["vnet_id"]) == vnet_key and ids.key(d["remote_vnet_id"]) not in found:
            found[ids.key(d["remote_vnet_id"])] = (d["remote_vnet_id"], list(d["remote_synced"]))
    for d in docs:
        other = ids.key(d["vnet_id"])
        owner_doc = store.get(st.VNET, other)
        if ids.key(d["remote_vnet_id"]) == vnet_key and other not in found and owner_doc is not None:
            owner = VirtualNetwork.from_doc(owner_doc)
            found[other] = (owner.id, rules.local_selection(Peering.from_doc(d), owner))
    return [(vnet_id, list(dict.fromkeys(prefixes))) for vnet_id, prefixes in found.values() if prefixes]


def _first_overlapping_scanned(
    net: NetworkService, vnet_key: str, prefixes: list[str], exclude_key: str
) -> tuple[str, list[str]] | None:
    for vnet_id, peered in _partners_scanned(net.store, vnet_key):
        if ids.key(vnet_id) != exclude_key and netmath.overlapping(prefixes, peered):
            return vnet_id, peered
    return None


def _assert_peered_spaces_match_scan(net: NetworkService, rng: random.Random, names: list[str], step: object) -> int:
    """Compare the index with a scan for every vnet; returns how many of the queries had several overlapping
    candidates (where the order the rule names them in is what decides)."""
    keys = [ids.key(_vnet_id(n)) for n in names]
    contested = 0
    for vnet_key in keys:
        partners = _partners_scanned(net.store, vnet_key)
        assert net.peered_spaces.partners(vnet_key) == partners, (step, vnet_key)
        for _ in range(4):
            query = rng.choice(SPACES)
            exclude = rng.choice(keys)
            assert net.first_overlapping_partner(vnet_key, query, exclude) == _first_overlapping_scanned(
                net, vnet_key, query, exclude
            ), (step, vnet_key, query, exclude)
            candidates = [v for v, peered in partners if ids.key(v) != exclude and netmath.overlapping(query, peered)]
            contested += len(candidates) > 1
    return contested


def test_the_peered_spaces_answer_what_a_scan_of_the_peerings_does(tmp_path: Path) -> None:
    """A random walk through the service: peerings created (whole vnets and subnets, some refused, some accepted
    with a late refusal so that overlapping links exist), updated with and without sync, disconnected, deleted;
    vnets' address spaces changed, vnets deleted and created again; rolled-back transactions; restarts. After every
    step, every vnet's peered spaces and the first overlapping one for random queries equal a scan's."""
    rng = random.Random(2029)
    names = [f"v{i}" for i in range(7)]
    seed = {
        "tenants": [
            {
                "tenantId": TENANT,
                "subscriptions": [
                    {
                        "subscriptionId": SUB,
                        "features": {"Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets": "Registered"},
                    }
                ],
            }
        ],
        "resourceGroups": [
            {
                "subscriptionId": SUB,
                "name": RG,
                "location": "westeurope",
                "virtualNetworks": [
                    {
                        "name": n,
                        "addressPrefixes": SPACES[i],
                        "subnets": [{"name": "sn", "addressPrefixes": SPACES[i][:1]}],
                    }
                    for i, n in enumerate(names)
                ],
            }
        ],
    }
    emulator = Emulator(tmp_path / "emu", log=lambda _: None)
    emulator.apply_seed(seed)
    kinds: dict[str, int] = {}
    contested = 0
    try:
        for step in range(260):
            net = emulator.network
            net.settings.late_refusals = OVERLAP_CODES if rng.random() < 0.4 else ()
            action = rng.choices(
                ["peer", "delete peering", "vnet space", "delete vnet", "roll back", "restart", "reset"],
                weights=[10, 3, 4, 1, 1, 0.5, 0.3],
            )[0]
            vnet, remote = rng.sample(names, 2)
            try:
                if action == "peer":
                    props: dict[str, Any] = {"remoteVirtualNetwork": {"id": _vnet_id(remote)}}
                    if rng.random() < 0.3:
                        props.update(peerCompleteVnets=False, localSubnetNames=["sn"], remoteSubnetNames=["sn"])
                    body = {"properties": props}
                    net.put_peering(
                        SUB, RG, vnet, f"{vnet}-{remote}", body, sync_remote=rng.random() < 0.5, **_write_kw()
                    )
                elif action == "delete peering":
                    net.delete_peering(SUB, RG, vnet, f"{vnet}-{remote}", **_write_kw())
                elif action == "vnet space":
                    net.put_vnet(SUB, RG, vnet, _vnet_body(rng.choice(SPACES), rng), **_write_kw())
                elif action == "delete vnet":
                    net.delete_vnet(SUB, RG, vnet, **_write_kw())
                elif action == "roll back":
                    with pytest.raises(RuntimeError), net.store.transaction():
                        net.put_vnet(SUB, RG, vnet, _vnet_body(rng.choice(SPACES), rng), **_write_kw())
                        net.finish_pending()
                        net.put_peering(
                            SUB,
                            RG,
                            remote,
                            f"{remote}-{vnet}",
                            {"properties": {"remoteVirtualNetwork": {"id": _vnet_id(vnet)}}},
                            sync_remote=True,
                            **_write_kw(),
                        )
                        raise RuntimeError("roll back")
                elif action == "reset":  # what the emulator suite does between tests: the store clears its kinds
                    emulator.reset()
                    emulator.apply_seed(seed)
                    net = emulator.network
                else:
                    emulator.close()
                    emulator = Emulator(tmp_path / "emu", log=lambda _: None)
                    net = emulator.network
            except errors.ArmError as refused:
                action = f"{action} refused ({refused.code})"
            net.finish_pending()
            if net.vnet(ids.key(_vnet_id(vnet))) is None:  # deleted: created again, possibly with another space
                net.put_vnet(SUB, RG, vnet, _vnet_body(rng.choice(SPACES), rng), **_write_kw())
                net.finish_pending()
            kinds[action] = kinds.get(action, 0) + 1
            contested += _assert_peered_spaces_match_scan(net, rng, names, (step, action))
    finally:
        emulator.close()
    # the walk went where it was meant to: links made, refused for overlaps, vnets changed under their links, and
    # vnets with several overlapping partners (accepted with a late refusal), for which the order decides
    print(kinds, contested)
    assert contested > 100
    assert kinds.get("peer", 0) > 40 and kinds.get("vnet space", 0) > 10
    assert kinds.get("restart", 0) >= 2 and kinds.get("reset", 0) >= 1
    assert any("VnetAddressSpaceOverlapsWithAlreadyPeeredVnet" in k for k in kinds)


def test_the_peered_spaces_follow_any_stored_documents(tmp_path: Path) -> None:
    """Documents written straight to the store, some the service's rules never let through (two peerings from one
    vnet to another, peerings to missing vnets, a vnet's space changed under its links), with kinds cleared,
    transactions rolled back and the file reopened: the peered spaces equal a scan after every step."""
    rng = random.Random(4029)
    path = tmp_path / "state.sqlite3"
    names = ["a", "b", "c", "d"]

    def opened() -> tuple[st.SqliteStore, PeeredSpaces]:
        store = st.SqliteStore(path)
        spaces = PeeredSpaces(store)
        store.follow(spaces)
        return store, spaces

    def put_vnet(store: st.Store, name: str) -> None:
        """A vnet written anew, or one whose address space alone or subnets alone change (a subnet peering selects
        the latter, a whole-vnet peering the former)."""
        space = rng.choice(SPACES)
        subnets = [Subnet("sn", rng.choice([space[:1], space[-1:]]))]
        existing = store.get(st.VNET, ids.key(_vnet_id(name)))
        if existing is not None and rng.random() < 0.6:
            vnet = VirtualNetwork.from_doc(existing)
            if rng.random() < 0.5:
                vnet.address_prefixes = list(space)
            else:
                vnet.subnets = subnets
        else:
            vnet = VirtualNetwork(_vnet_id(name), name, SUB, RG, "westeurope", list(space), subnets)
        store.put(st.VNET, ids.key(vnet.id), vnet.to_doc(), subscription=SUB, parent=RG)

    def put_peering(store: st.Store, owner: str, remote: str) -> None:
        subnets = ["sn"] if rng.random() < 0.3 else None
        p = Peering(
            id=ids.peering_id(_vnet_id(owner), f"{owner}-{remote}-{rng.randrange(2)}"),
            name="p",
            vnet_id=_vnet_id(owner),
            remote_vnet_id=_vnet_id(remote),
            peer_complete_vnets=subnets is None,
            local_subnet_names=subnets,
            remote_subnet_names=subnets,
            remote_synced=list(rng.choice([*SPACES, []])),
        )
        store.put(st.PEERING, ids.key(p.id), p.to_doc(), subscription=SUB, parent=ids.key(p.vnet_id))

    store, spaces = opened()
    several = 0
    try:
        for step in range(700):
            owner, remote = rng.sample(names, 2)
            action = rng.random()
            if action < 0.35:
                put_peering(store, owner, remote)
            elif action < 0.5:
                store.delete(
                    st.PEERING, ids.key(ids.peering_id(_vnet_id(owner), f"{owner}-{remote}-{rng.randrange(2)}"))
                )
            elif action < 0.75:
                put_vnet(store, owner)
            elif action < 0.82:
                store.delete(st.VNET, ids.key(_vnet_id(owner)))
            elif action < 0.86:
                store.clear([rng.choice([st.VNET, st.PEERING])])
            elif action < 0.95:
                with pytest.raises(RuntimeError), store.transaction():
                    put_peering(store, owner, remote)
                    put_vnet(store, remote)
                    raise RuntimeError("roll back")
            else:
                store.close()
                store, spaces = opened()
            for name in names:
                vnet_key = ids.key(_vnet_id(name))
                assert spaces.partners(vnet_key) == _partners_scanned(store, vnet_key), (step, name)
            peerings = [(d["vnet_id"], d["remote_vnet_id"]) for d in store.all(st.PEERING)]
            several += len(peerings) > len(set(peerings))
    finally:
        store.close()
    assert several > 50  # steps with two peerings from one vnet to another, where the first one decides
