"""Hub-and-spoke virtual network peering for Pulumi: the pure planner and the ``HubSpokePeering`` component."""

from pulumi_azure_peering.components.hub_spoke import (
    HubSpokeError,
    HubSpokePeering,
    HubSpokePeeringArgs,
    SpokeArgs,
    look_up_facts,
)
from pulumi_azure_peering.components.plan import Plan, PlanError, PlannedPeering, PlanValidationError, plan_hub_spoke
from pulumi_azure_peering.components.topology import HubSpokeSpec, SpokeSpec, VnetFacts

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
