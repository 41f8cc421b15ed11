"""Which peerings a resolved topology makes, and with which flags: the hub pair of each spoke, then the mesh."""

from __future__ import annotations

from collections.abc import Mapping

from .peering_names import (
    chosen_name,
    default_mesh_name,
    default_peering_name,
    hub_to_spoke_key,
    mesh_key,
    spoke_to_hub_key,
)
from .plan_findings import Findings
from .plan_types import PlannedPeering
from .spec_checks import ResolvedSpec, merge_tenants
from .topology import MAX_AUXILIARY_TENANTS

#: Which peering of a topology a field sets, relative to the spoke of a :class:`~.hub_spoke.SpokeArgs` (every spoke
#: for a field of :class:`~.hub_spoke.HubSpokePeeringArgs`): its ``hub_to_spoke`` side (in the hub vnet), its
#: ``spoke_to_hub`` side, the ``mesh`` peerings its vnet holds, the ``mesh_to`` peerings other spokes' vnets hold to
#: it.
Side = str
#: The peering fields (provider/schema.py) each field of the component's two Args classes sets, and on which sides; a
#: field not listed sets none (it chooses which peerings exist, or acts in the component only). The ARM property,
#: default and effect of a change of each peering field are the schema's; the API reference prints them under each
#: field (``make docs``). It lives beside :func:`build_peerings`, which does what it says; a unit test holds the two
#: together.
ARGS_SET: Mapping[str, Mapping[str, tuple[tuple[str, tuple[Side, ...]], ...]]] = {
    "SpokeArgs": {
        "vnet_id": (
            ("virtual_network_id", ("spoke_to_hub", "mesh")),
            ("remote_virtual_network_id", ("hub_to_spoke", "mesh_to")),
        ),
        "allow_forwarded_traffic": (("allow_forwarded_traffic", ("spoke_to_hub", "mesh")),),
        "use_hub_gateway": (
            ("allow_gateway_transit", ("hub_to_spoke",)),
            ("use_remote_gateways", ("spoke_to_hub",)),
        ),
        "link": (
            ("peer_complete_vnets", ("hub_to_spoke", "spoke_to_hub")),
            ("enable_only_ipv6_peering", ("hub_to_spoke", "spoke_to_hub")),
        ),
        "local_subnet_names": (
            ("local_subnet_names", ("spoke_to_hub",)),
            ("remote_subnet_names", ("hub_to_spoke",)),
        ),
        "hub_subnet_names": (
            ("local_subnet_names", ("hub_to_spoke",)),
            ("remote_subnet_names", ("spoke_to_hub",)),
        ),
        "hub_peering_name": (("name", ("hub_to_spoke",)),),
        "spoke_peering_name": (("name", ("spoke_to_hub",)),),
        "adopt_existing": (("adopt_existing", ("hub_to_spoke", "spoke_to_hub", "mesh")),),
        "timeouts": (("timeouts", ("hub_to_spoke", "spoke_to_hub", "mesh")),),
        "auxiliary_tenant_ids": (("auxiliary_tenant_ids", ("hub_to_spoke", "spoke_to_hub", "mesh", "mesh_to")),),
        "allow_virtual_network_access": (("allow_virtual_network_access", ("hub_to_spoke", "spoke_to_hub", "mesh")),),
    },
    "HubSpokePeeringArgs": {
        "hub_vnet_id": (
            ("virtual_network_id", ("hub_to_spoke",)),
            ("remote_virtual_network_id", ("spoke_to_hub",)),
        ),
        "hub_allow_forwarded_traffic": (("allow_forwarded_traffic", ("hub_to_spoke",)),),
        "auxiliary_tenant_ids": (("auxiliary_tenant_ids", ("hub_to_spoke", "spoke_to_hub", "mesh")),),
        "timeouts": (("timeouts", ("hub_to_spoke", "spoke_to_hub", "mesh")),),
    },
}


def build_peerings(r: ResolvedSpec, c: Findings) -> list[PlannedPeering]:
    """The planned peerings of a resolved spec with a valid hub, in the plan's order, without dependencies from facts.

    Reports ``TooManyAuxiliaryTenants`` for mesh peerings, whose tenants are both spokes'.
    """
    hub = r.hub
    assert hub is not None
    out: list[PlannedPeering] = []
    for s in r.spokes:
        sub = s.link != "vnet"
        transit = s.spec.use_hub_gateway is True
        access = s.spec.allow_virtual_network_access is not False
        adopt = s.spec.adopt_existing is True
        hub_key = hub_to_spoke_key(s.name)
        out.append(
            PlannedPeering(
                key=hub_key,
                spoke=s.name,
                remote_spoke=None,
                direction="hub_to_spoke",
                local_vnet_id=hub.id,
                remote_vnet_id=s.vnet.id,
                name=chosen_name(s.spec.hub_peering_name, default_peering_name(hub.name, s.vnet.name)),
                allow_virtual_network_access=access,
                allow_forwarded_traffic=r.hub_forwarded,
                allow_gateway_transit=transit,
                use_remote_gateways=False,
                peer_complete_vnets=not sub,
                local_subnet_names=s.hub_subnets if sub else (),
                remote_subnet_names=s.local_subnets if sub else (),
                enable_only_ipv6_peering=s.link == "ipv6",
                adopt_existing=adopt,
                timeouts=s.timeouts,
                auxiliary_tenant_ids=s.aux,
                depends_on_keys=(),
            )
        )
        out.append(
            PlannedPeering(
                key=spoke_to_hub_key(s.name),
                spoke=s.name,
                remote_spoke=None,
                direction="spoke_to_hub",
                local_vnet_id=s.vnet.id,
                remote_vnet_id=hub.id,
                name=chosen_name(s.spec.spoke_peering_name, default_peering_name(s.vnet.name, hub.name)),
                allow_virtual_network_access=access,
                allow_forwarded_traffic=s.spec.allow_forwarded_traffic is not False,
                allow_gateway_transit=False,
                use_remote_gateways=transit,
                peer_complete_vnets=not sub,
                local_subnet_names=s.local_subnets if sub else (),
                remote_subnet_names=s.hub_subnets if sub else (),
                enable_only_ipv6_peering=s.link == "ipv6",
                adopt_existing=adopt,
                timeouts=s.timeouts,
                auxiliary_tenant_ids=s.aux,
                depends_on_keys=(hub_key,) if transit else (),
            )
        )
    meshed = [s for s in r.spokes if s.joins_mesh]
    for local in meshed:
        for remote in meshed:
            if local is remote:
                continue
            aux = merge_tenants(local.aux, remote.aux)
            if len(aux) > MAX_AUXILIARY_TENANTS and local.name < remote.name:
                c.error(
                    "TooManyAuxiliaryTenants",
                    remote.name,
                    "auxiliary_tenant_ids",
                    f"the mesh peering between spokes {local.name!r} and {remote.name!r} would need {len(aux)} "
                    f"auxiliary tenants; ARM accepts at most {MAX_AUXILIARY_TENANTS}",
                    f"set join_mesh=False on spoke {remote.name!r} or {local.name!r}, or list fewer tenants",
                )
            out.append(
                PlannedPeering(
                    key=mesh_key(local.name, remote.name),
                    spoke=local.name,
                    remote_spoke=remote.name,
                    direction="mesh",
                    local_vnet_id=local.vnet.id,
                    remote_vnet_id=remote.vnet.id,
                    name=default_mesh_name(local.name, remote.name),
                    allow_virtual_network_access=local.spec.allow_virtual_network_access is not False,
                    allow_forwarded_traffic=local.spec.allow_forwarded_traffic is not False,
                    # Mesh peerings never carry gateway flags: a spoke using the hub gateway must not become a
                    # transit target, and a vnet may use only one remote gateway.
                    allow_gateway_transit=False,
                    use_remote_gateways=False,
                    peer_complete_vnets=True,
                    local_subnet_names=(),
                    remote_subnet_names=(),
                    enable_only_ipv6_peering=False,
                    adopt_existing=local.spec.adopt_existing is True,
                    timeouts=local.timeouts,
                    auxiliary_tenant_ids=aux,
                    depends_on_keys=(),
                )
            )
    return out
