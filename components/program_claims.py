"""What the HubSpokePeering components of one Pulumi program claim between them, so that two of them cannot plan
what ARM allows only once.

Each component plans alone and checks ARM's live facts, but two components of the same program are invisible to each
other's facts until one of them has deployed: two hubs that both route one spoke through their gateway pass every check
at preview, then ARM refuses the second ``useRemoteGateways`` (the API: only one peering of a vnet may set it), and
which hub wins depends on timing. Likewise two components that peer the same two vnets race for ARM's single link
between them (``AnotherPeeringAlreadyReferencesRemoteVnet``). Every component's accepted plan is recorded here; a plan
that claims what another component of the run already claimed is refused, naming both.

Claims live as long as the program run: they are keyed by the Pulumi runtime's settings object, which each run
(and each ``pulumi.runtime.set_mocks``) replaces.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import pulumi.runtime.settings

from pulumi_azure_peering.provider.errors import ONE_REMOTE_GATEWAY_QUOTED

from .plan import Plan


@dataclass
class _Claims:
    gateway_users: dict[str, tuple[str, str]] = field(default_factory=dict)
    """spoke vnet id (lower-cased) -> (component, spoke key) routing it through its hub's gateway"""
    links: dict[frozenset[str], tuple[str, str]] = field(default_factory=dict)
    """the two vnet ids of a pair (lower-cased) -> (component, plan key) that peers them"""


_BY_RUN: weakref.WeakKeyDictionary[object, _Claims] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def claim(component: str, plan: Plan) -> list[str]:
    """Record this component's plan; one line per thing another component of the program already claimed."""
    with _LOCK:
        claims = _BY_RUN.setdefault(pulumi.runtime.settings.SETTINGS, _Claims())
        problems: list[str] = []
        gateway_users: dict[str, tuple[str, str]] = {}
        links: dict[frozenset[str], tuple[str, str]] = {}
        for p in plan.peerings:
            local, remote = p.local_vnet_id.lower(), p.remote_vnet_id.lower()
            pair = frozenset((local, remote))
            other = claims.links.get(pair)
            if other is not None and other[0] != component and p.direction != "hub_to_spoke":
                problems.append(
                    f'spokes["{p.spoke}"].vnet_id of {component!r}: HubSpokePeering {other[0]!r} already peers vnet '
                    f"{_name(local)!r} with {_name(remote)!r} ({other[1]}); ARM keeps one link between two vnets "
                    "(AnotherPeeringAlreadyReferencesRemoteVnet). Fix: list the spoke in one of the two components"
                )
            links.setdefault(pair, (component, p.key))
            if not p.use_remote_gateways:
                continue
            user = claims.gateway_users.get(local)
            if user is not None and user[0] != component:
                problems.append(
                    f'spokes["{p.spoke}"].use_hub_gateway of {component!r}: HubSpokePeering {user[0]!r} also '
                    f"routes vnet {_name(local)!r} through its hub's gateway (spoke {user[1]!r}); ARM lets only one "
                    f"peering per vnet use remote gateways ({ONE_REMOTE_GATEWAY_QUOTED}). Fix: set "
                    "use_hub_gateway=False "
                    f"on the spoke in one of {user[0]!r} and {component!r}"
                )
            gateway_users.setdefault(local, (component, p.spoke))
        if not problems:
            claims.links.update(links)
            claims.gateway_users.update(gateway_users)
        return problems


def _name(vnet_id: str) -> str:
    return vnet_id.rstrip("/").rsplit("/", 1)[-1]
