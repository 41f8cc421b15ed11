"""Long-running operations, as polled through Azure-AsyncOperation and Location."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .. import ids, timing

IN_PROGRESS = "InProgress"
OP_SUCCEEDED = "Succeeded"
OP_FAILED = "Failed"

# What an operation will end with (decided when it starts, e.g. by fault injection).
OUTCOME_SUCCEED = "succeed"
OUTCOME_FAIL = "fail"
OUTCOME_HANG = "hang"


@dataclass
class Lock:
    """A resource held by an operation until ``release_at`` (None: until the operation ends)."""

    key: str
    release_at: float | None = None


@dataclass
class Operation:
    id: str
    subscription_id: str
    location: str
    method: str  # PUT or DELETE
    resource_kind: str  # vnet, gateway, peering
    resource_id: str
    name: str  # e.g. PutVirtualNetworkPeeringOperation, quoted by ReferencedResourceNotProvisioned
    created_at: float
    finish_at: float | None  # None: never finishes (injected hang)
    nominal_seconds: float
    outcome: str = OUTCOME_SUCCEED
    status: str = IN_PROGRESS
    error: dict[str, Any] | None = None
    api_version: str = ""
    locks: list[Lock] = field(default_factory=list)
    created: bool = False  # the PUT created the resource (201)
    # a refusal answered late (Settings.late_refusals): the operation ends Failed with this error object, whatever
    # else decides its outcome
    refusal: dict[str, Any] | None = None

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Operation:
        data = dict(doc)
        data["locks"] = [Lock(**lk) for lk in data["locks"]]
        data["error"] = dict(data["error"]) if data["error"] is not None else None
        data["refusal"] = dict(data["refusal"]) if data.get("refusal") is not None else None
        return cls(**data)

    @property
    def done(self) -> bool:
        return self.status != IN_PROGRESS

    def remaining(self, now: float) -> float:
        if self.finish_at is None:
            return self.nominal_seconds
        return max(0.0, self.finish_at - now)

    def retry_after_headers(self, now: float) -> dict[str, str]:
        """ARM's integer Retry-After (Azure's value for the kind, scaled:
        :func:`pulumi_azure_peering.emulator.timing.retry_after`) plus
        the exact remaining time in milliseconds (an emulator extra; real Azure does not send it).

        Clients may poll sooner than Retry-After; the emulator never penalises it.
        """
        remaining = self.remaining(now)
        return {
            "Retry-After": str(timing.retry_after(self.resource_kind, self.method, self.nominal_seconds)),
            "x-ms-retry-after-ms": str(max(10, int(remaining * 1000))),
        }

    def async_url(self, base: str) -> str:
        return (
            f"{base}/subscriptions/{self.subscription_id}/providers/{ids.NETWORK}/locations/{self.location}"
            f"/operations/{self.id}?api-version={self.api_version}"
        )

    def result_url(self, base: str) -> str:
        return (
            f"{base}/subscriptions/{self.subscription_id}/providers/{ids.NETWORK}/locations/{self.location}"
            f"/operationResults/{self.id}?api-version={self.api_version}"
        )

    def status_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status}
        if self.status == OP_FAILED and self.error is not None:
            body["error"] = cloud_error(self.error)
        return body


def cloud_error(error: dict[str, Any]) -> dict[str, Any]:
    """A stored error object as ARM sends it: no ``"target": null`` (older data dirs stored one), details a list."""
    out = {k: v for k, v in error.items() if not (k == "target" and v is None)}
    out["details"] = list(out.get("details") or [])
    return out
