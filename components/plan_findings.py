"""What planning finds besides peerings: errors, warnings and deferred checks, with their argument paths and messages.

Every check of the planner reports through one :class:`Findings`, so that each finding names the spoke, the
argument path (``spokes["app1"].use_hub_gateway``) and, for errors, the fix, in one format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from .plan_types import DeferredCheck, PlanError, PlanWarning
from .topology import VnetRef


def spoke_path(spoke: object) -> str:
    """The argument path of a spoke: ``spokes["app1"]`` (any key, valid or not, is shown as given)."""
    label = json.dumps(spoke) if isinstance(spoke, str) else repr(spoke)
    return f"spokes[{label}]"


def field_path(spoke: str | None, attr: str) -> str:
    """The argument path of ``attr``: of the spec for ``spoke=None``, else of that spoke (``attr=""``: the spoke)."""
    if spoke is None:
        return attr
    return f"{spoke_path(spoke)}.{attr}" if attr else spoke_path(spoke)


def _message(spoke: str | None, problem: str, fix: str) -> str:
    who = "hub" if spoke is None else f"spoke {spoke!r}"
    return f"{who}: {problem}. Fix: {fix}."


@dataclass
class Findings:
    """Collects what the checks find, in the order found; :func:`sorted_errors` and :func:`deduped_warnings` give
    the plan its stable order."""

    errors: list[PlanError] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    deferred: list[DeferredCheck] = field(default_factory=list)

    def error(self, code: str, spoke: str | None, attr: str, problem: str, fix: str) -> None:
        """Record a :class:`PlanError`; its message reads ``"<who>: <problem>. Fix: <fix>."``."""
        self.errors.append(
            PlanError(code=code, spoke=spoke, field=field_path(spoke, attr), message=_message(spoke, problem, fix))
        )

    def warn(self, code: str, spoke: str | None, attr: str, text: str) -> None:
        """Record a :class:`PlanWarning`."""
        who = "hub" if spoke is None else f"spoke {spoke!r}"
        self.warnings.append(
            PlanWarning(code=code, spoke=spoke, field=field_path(spoke, attr), message=f"{who}: {text}")
        )

    def defer(self, check: str, spoke: str | None, vnet: VnetRef, why: str) -> None:
        """Record that ``check`` was skipped for ``vnet`` (callers record each (check, vnet) once)."""
        self.deferred.append(
            DeferredCheck(
                check=check,
                spoke=spoke,
                vnet_id=vnet.id,
                message=f"{check} check for vnet {vnet.name!r} skipped: {why}; ARM enforces it at apply time",
            )
        )


def sorted_errors(errors: Iterable[PlanError]) -> tuple[PlanError, ...]:
    """Errors without duplicates, hub-level first, then by spoke, field, code and message."""
    unique = {(e.code, e.spoke, e.field, e.message): e for e in errors}
    return tuple(unique[k] for k in sorted(unique, key=lambda k: (k[1] is not None, k[1] or "", k[2], k[0], k[3])))


def deduped_warnings(items: Iterable[PlanWarning]) -> tuple[PlanWarning, ...]:
    """Warnings without duplicates, in the order first found."""
    seen: dict[tuple[str, str | None, str, str], PlanWarning] = {}
    for w in items:
        seen.setdefault((w.code, w.spoke, w.field, w.message), w)
    return tuple(seen.values())
