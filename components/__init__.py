"""Hub-and-spoke virtual network peering for Pulumi: the pure planner and the ``HubSpokePeering`` component."""

if __name__ != "pulumi_azure_peering.components":  # setup.py maps this folder into the package
    raise ImportError(
        f"{__name__!r} is pulumi_azure_peering.components: import it by that name, never as a second copy"
    )

from .hub_spoke import (
    HubSpokeError,
    HubSpokePeering,
    HubSpokePeeringArgs,
    SpokeArgs,
    look_up_facts,
)
from .plan import Plan, PlanError, PlannedPeering, PlanValidationError, plan_hub_spoke
from .topology import HubSpokeSpec, SpokeSpec, VnetFacts

__all__ = [
    "HubSpokeError",
    "HubSpokePeering",
    "HubSpokePeeringArgs",
    "HubSpokeSpec",
    "Plan",
    "PlanError",
    "PlanValidationError",
    "PlannedPeering",
    "SpokeArgs",
    "SpokeSpec",
    "VnetFacts",
    "look_up_facts",
    "plan_hub_spoke",
]
