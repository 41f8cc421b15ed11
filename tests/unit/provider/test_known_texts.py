"""Refusals whose ARM code is not known are recognised by the text real ARM is known to answer, whatever code comes
with it (docs/emulator.md, "Guessed error codes")."""

from __future__ import annotations

import pytest

from pulumi_azure_peering.provider.errors import (
    ArmError,
    ArmValidationError,
    ToldProblems,
    describe_failure,
    refuses_remote_gateways_without_transit,
)
from pulumi_azure_peering.provider.peering_writes import waits_for_sibling

pytestmark = pytest.mark.unit

#: As reported from real Azure in hashicorp/terraform#20298 (its code was not shown).
REAL_TEXT = (
    "Peering-to-Gateway cannot have UseRemoteGateways flag set to true, because corresponding remote peering has "
    "AllowGatewayTransit flag set to false."
)


@pytest.mark.parametrize("code", ["InvalidRequestFormat", "RemotePeeringDoesNotAllowGatewayTransit", None])
def test_the_transit_refusal_is_known_by_its_text_whatever_its_code(code: str | None) -> None:
    refusal = ArmValidationError(status_code=400, code=code, message=REAL_TEXT)
    assert refuses_remote_gateways_without_transit(refusal)
    assert waits_for_sibling(refusal)  # the hub side, another resource of the run, usually allows it next
    line = describe_failure("create peering 'spoke-to-hub'", refusal, ToldProblems())
    assert "Fix: set allow_gateway_transit=True on the remote vnet's peering back to this one" in line


def test_a_guessed_code_alone_is_not_taken_for_the_transit_refusal() -> None:
    other = ArmError(status_code=400, code="RemotePeeringDoesNotAllowGatewayTransit", message="something else")
    assert not refuses_remote_gateways_without_transit(other)
    assert not waits_for_sibling(other)
