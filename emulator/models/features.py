"""Subscription feature registrations (Microsoft.Features, "AFEC"): which preview features a subscription has
registered for, as ``GET /subscriptions/{s}/providers/Microsoft.Features/providers/{namespace}/features/{name}``
(api-version 2021-07-01) reports them::

    {"id": "/subscriptions/{s}/providers/Microsoft.Features/providers/Microsoft.Network/features/{name}",
     "name": "Microsoft.Network/{name}", "properties": {"state": "Registered"},
     "type": "Microsoft.Features/providers/features"}

The network service checks one: subnet peering (``peerCompleteVnets=false``) needs
``Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets`` (reported in
Azure/terraform-azurerm-avm-res-network-virtualnetwork#125).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SUBNET_PEERING_FEATURE = "Microsoft.Network/AllowMultiplePeeringLinksBetweenVnets"

REGISTERED = "Registered"
NOT_REGISTERED = "NotRegistered"
REGISTERING = "Registering"
UNREGISTERING = "Unregistering"
UNREGISTERED = "Unregistered"
PENDING = "Pending"
NOT_SPECIFIED = "NotSpecified"
#: The registration states the Features API reports.
STATES = (REGISTERED, NOT_REGISTERED, REGISTERING, UNREGISTERING, UNREGISTERED, PENDING, NOT_SPECIFIED)

#: The features the emulator knows (lower-cased name -> canonical name, state of a subscription nothing has set).
#: Real subscriptions start ``NotRegistered``; the emulator's default is ``Registered`` so that seeds and tests
#: written before the feature was modelled keep working. A seed or the admin API sets it per subscription.
KNOWN_FEATURES: dict[str, tuple[str, str]] = {
    SUBNET_PEERING_FEATURE.lower(): (SUBNET_PEERING_FEATURE, REGISTERED),
}

FEATURES_NAMESPACE = "Microsoft.Features"


def feature_key(subscription_id: str, feature: str) -> str:
    """The store key of a subscription's registration of ``feature`` (``Namespace/Name``)."""
    return f"{subscription_id}/{feature}".lower()


def parse_feature(value: Any) -> str:
    """A feature name ``Namespace/Name`` (ValueError otherwise), in the canonical casing when the emulator knows it."""
    if not isinstance(value, str):
        raise ValueError(f"a feature is named 'Namespace/Name', got {value!r}")
    namespace, _, name = value.strip().partition("/")
    if not namespace or not name or "/" in name:
        raise ValueError(f"a feature is named 'Namespace/Name' (e.g. {SUBNET_PEERING_FEATURE}), got {value!r}")
    known = KNOWN_FEATURES.get(f"{namespace}/{name}".lower())
    return known[0] if known is not None else f"{namespace}/{name}"


def parse_state(value: Any) -> str:
    """A registration state in its canonical casing (ValueError for anything else)."""
    for state in STATES:
        if isinstance(value, str) and value.strip().lower() == state.lower():
            return state
    raise ValueError(f"a feature state is one of {', '.join(STATES)}, got {value!r}")


@dataclass
class FeatureRegistration:
    subscription_id: str
    feature: str  # Namespace/Name
    state: str

    @property
    def namespace(self) -> str:
        return self.feature.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.feature.split("/", 1)[1]

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> FeatureRegistration:
        return cls(**doc)

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": f"/subscriptions/{self.subscription_id}/providers/{FEATURES_NAMESPACE}/providers/{self.namespace}"
            f"/features/{self.name}",
            "name": self.feature,
            "properties": {"state": self.state},
            "type": "Microsoft.Features/providers/features",
        }
