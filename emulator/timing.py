"""How long writes take and how long clients are told to wait: latency profiles and the Retry-After rule.

Real durations and Retry-After values come from recorded traffic of real Azure (docs/emulator.md, "What real Azure
does, and where it came from": the Azure CLI's ``test_network_vnet_peering*`` recordings and Azure PowerShell's
``TestSubnetPeeringCRUD`` / ``TestVirtualNetworkPeeringSyncCRUD`` session records): peering PUT/DELETE about 10 s
(1 to 21 s), vnet writes 3 to 4 s, a VPN gateway 18 to 35 min to create and about 8 min to delete; operation polls
answered ``Retry-After: 10`` for peerings and ``3`` for vnets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PEERING = "peering"
VNET = "vnet"
GATEWAY = "gateway"

#: Typical real duration of each write, in seconds, keyed by (resource kind, method).
REAL_SECONDS: dict[tuple[str, str], float] = {
    (PEERING, "PUT"): 10.0,
    (PEERING, "DELETE"): 10.0,
    (VNET, "PUT"): 3.0,
    (VNET, "DELETE"): 3.0,
    (GATEWAY, "PUT"): 25 * 60.0,  # 18 to 35 min seen; a round value inside the range
    (GATEWAY, "DELETE"): 8 * 60.0,
}

#: Retry-After (seconds) real Azure sends on operation polls, per resource kind. Gateways were not recorded:
#: 10 s is the network resource provider's usual value, a guess kept here so it can be corrected in one place.
REAL_RETRY_AFTER: dict[str, int] = {PEERING: 10, VNET: 3, GATEWAY: 10}

PROFILE_NAMES = ("azure",)
DEFAULT_PROFILE_SCALE = 0.01


@dataclass(frozen=True)
class LatencyProfile:
    """Per-kind write durations: the real ones times ``scale`` (``azure:0.01`` makes a peering write 0.1 s)."""

    name: str = "azure"
    scale: float = DEFAULT_PROFILE_SCALE

    @classmethod
    def parse(cls, spec: str) -> LatencyProfile:
        """``azure`` or ``azure:SCALE`` (SCALE a non-negative number; default 0.01)."""
        name, sep, raw_scale = spec.strip().partition(":")
        name = name.strip().lower()
        if name not in PROFILE_NAMES:
            raise ValueError(f"unknown latency profile {spec!r}: expected one of {', '.join(PROFILE_NAMES)}[:SCALE]")
        if not sep:
            return cls(name)
        try:
            scale = float(raw_scale)
        except ValueError:
            raise ValueError(f"latency profile {spec!r}: SCALE must be a number") from None
        if not math.isfinite(scale) or scale < 0:
            raise ValueError(f"latency profile {spec!r}: SCALE must be a non-negative number")
        return cls(name, scale)

    @property
    def spec(self) -> str:
        return f"{self.name}:{self.scale:g}"

    def seconds(self, kind: str, method: str) -> float:
        return REAL_SECONDS[(kind, method)] * self.scale


def retry_after(kind: str, method: str, nominal_seconds: float) -> int:
    """The Retry-After (whole seconds) of an operation that is simulated to last ``nominal_seconds``.

    Azure's value for the kind, scaled by how much faster (or slower) the simulated operation is than the real
    one: ``ceil(real_retry_after * nominal / real_duration)``, at least 1 and at most Azure's own value.
    So a peering write of the ``azure`` profile at scale 1 says 10 (vnet: 3), as Azure does; at scale 0.01 or with
    ``--latency 0.3`` it says 1, and a slow emulator never asks for more than Azure would.
    At least 1, never 0: ARM sends no 0, and azure-core reads ``Retry-After: 0`` as "absent" and falls back to its
    default polling interval (30 s for management clients). Clients that want to poll sooner read the exact
    remaining time in ``x-ms-retry-after-ms``.
    """
    real = REAL_RETRY_AFTER[kind]
    typical = REAL_SECONDS[(kind, method)]
    scaled = real * max(0.0, nominal_seconds) / typical
    return max(1, min(real, math.ceil(scaled - 1e-9)))
