"""Subscription features (Microsoft.Features) that peering writes need, read-only.

Subnet peering (``peer_complete_vnets=False``) needs the subscription feature
``Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets``: without it ARM refuses the PUT with 400
``SubscriptionNotRegisteredForFeature``. The preflight (``preflight.py``) reads the feature's state through the
Features API (cached per subscription by :class:`~.vnet_facts.VnetCache`) so that preview says so, with the fix.
The subscription checked is the local vnet's, the one the peering is written in (as the ARM emulator models it; the
reference does not say whether the remote's counts too).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .arm import Deadline

if TYPE_CHECKING:
    from .arm import ArmClient

FEATURES_API_VERSION = "2021-07-01"  # what azure-mgmt-resource and `az feature` send
SUBNET_PEERING_NAMESPACE = "Microsoft.Network"
SUBNET_PEERING_FEATURE_NAME = "AllowMultiplePeeringLinksBetweenVnets"
SUBNET_PEERING_FEATURE = f"{SUBNET_PEERING_NAMESPACE}/{SUBNET_PEERING_FEATURE_NAME}"

REGISTERED = "Registered"
#: States in which the feature is not (yet) usable, as the Features API reports them. Any other answer (a state
#: this list does not know, or none at all) is not held against the peering: ARM's own answer at `up` decides.
NOT_USABLE = frozenset({"NotRegistered", "Unregistered", "Unregistering", "Registering", "Pending"})
_IN_PROGRESS = frozenset({"Registering", "Pending"})


def feature_path(subscription_id: str, feature: str = SUBNET_PEERING_FEATURE) -> str:
    namespace, name = feature.split("/", 1)
    return f"/subscriptions/{subscription_id}/providers/Microsoft.Features/providers/{namespace}/features/{name}"


def read_feature_state(
    client: ArmClient,
    subscription_id: str,
    feature: str = SUBNET_PEERING_FEATURE,
    *,
    auxiliary_tenant_ids: Sequence[str] = (),
    deadline: Deadline | None = None,
) -> str | None:
    """The registration state of ``feature`` in the subscription (``Registered``, ``NotRegistered``, ...); None
    when ARM says there is no such feature or the answer names no state. Errors (a 403 included) are raised."""
    payload = client.get_json(
        feature_path(subscription_id, feature),
        api_version=FEATURES_API_VERSION,
        auxiliary_tenant_ids=auxiliary_tenant_ids,
        deadline=deadline,
    )
    properties = (payload or {}).get("properties")
    state = properties.get("state") if isinstance(properties, dict) else None
    return state if isinstance(state, str) and state else None


def register_fix(subscription_id: str) -> str:
    """The commands that register subnet peering's feature in a subscription."""
    return (
        f"az feature register --namespace {SUBNET_PEERING_NAMESPACE} --name {SUBNET_PEERING_FEATURE_NAME} "
        f"--subscription {subscription_id}, wait until `az feature show --namespace {SUBNET_PEERING_NAMESPACE} "
        f"--name {SUBNET_PEERING_FEATURE_NAME} --subscription {subscription_id}` reads Registered, then "
        f"az provider register -n {SUBNET_PEERING_NAMESPACE} --subscription {subscription_id}"
    )


def subnet_peering_feature_problem(subscription_id: str, state: str | None) -> str | None:
    """Why a subnet peering cannot be written in a subscription whose feature reads ``state``, with the fix; None
    when nothing is known against it."""
    if state not in NOT_USABLE:
        return None
    if state in _IN_PROGRESS:
        return (
            f"subscription {subscription_id} is still registering the feature {SUBNET_PEERING_FEATURE} that subnet "
            f"peering (peer_complete_vnets=false) needs (state {state}; until it is Registered ARM refuses with "
            f"SubscriptionNotRegisteredForFeature). Fix: wait until `az feature show --namespace "
            f"{SUBNET_PEERING_NAMESPACE} --name {SUBNET_PEERING_FEATURE_NAME} --subscription {subscription_id}` reads "
            f"Registered, then az provider register -n {SUBNET_PEERING_NAMESPACE} --subscription {subscription_id}"
        )
    return (
        f"subscription {subscription_id} has not registered the feature {SUBNET_PEERING_FEATURE} that subnet "
        f"peering (peer_complete_vnets=false) needs (state {state}; ARM: SubscriptionNotRegisteredForFeature). "
        f"Fix: {register_fix(subscription_id)}; or peer the whole vnets (peer_complete_vnets=true)"
    )
