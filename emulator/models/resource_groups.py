"""Resource groups (Microsoft.Resources): the containers vnets and gateways live in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ResourceGroup:
    id: str
    name: str
    subscription_id: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ResourceGroup:
        return cls(**{**doc, "tags": dict(doc["tags"])})

    def to_wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": self.location,
            "properties": {"provisioningState": "Succeeded"},
        }
        if self.tags:
            body["tags"] = dict(self.tags)
        return body
