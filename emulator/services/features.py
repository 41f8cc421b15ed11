"""Subscription feature registrations (Microsoft.Features): listing and setting them."""

from __future__ import annotations

from .. import store as st
from ..models.features import KNOWN_FEATURES, FeatureRegistration, feature_key
from .core import NetworkCore


class FeaturesService(NetworkCore):
    """Listing and setting feature registrations (looking one up is a read the rules make: it is in the core)."""

    def features(self, subscription_id: str, namespace: str | None = None) -> list[FeatureRegistration]:
        """Every feature of a subscription the emulator can report (in a namespace, when given)."""
        found = {name: self.feature(subscription_id, canonical) for name, (canonical, _) in KNOWN_FEATURES.items()}
        for doc in self.store.all(st.FEATURE, subscription_id.lower()):
            found[doc["feature"].lower()] = FeatureRegistration.from_doc(doc)
        return [
            f
            for f in found.values()
            if f is not None and (namespace is None or f.namespace.lower() == namespace.lower())
        ]

    def set_feature(self, subscription_id: str, feature: str, state: str) -> FeatureRegistration:
        """Record a subscription's registration state of ``feature`` (a canonical ``Namespace/Name`` and state)."""
        registration = FeatureRegistration(subscription_id.lower(), feature, state)
        sub = subscription_id.lower()
        self.store.put(st.FEATURE, feature_key(sub, feature), registration.to_doc(), subscription=sub)
        return registration
