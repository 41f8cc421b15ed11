"""The provider's start-up imports what a check and a diff need, not the ARM client's transport.

The dynamic-provider process imports the provider package when the engine's first ``Check`` unpickles the provider;
a no-change ``preview`` or ``up`` of a ``HubSpokePeering`` then only checks and diffs (its peerings carry
``preflight: false``: the component planned with the vnets it read). The transport (requests, urllib3), the retrying
of writes (tenacity), the credential library and the ARM client's modules are imported when a call first needs ARM
(provider/lazy_exports.py; docs/benchmarks.md has what it saves). So are pydantic and the peering's models, which only
a preflight, a write, a read of a peering or an error answer parses or builds: not a check without a preflight, not a
diff, and not the program's vnet reads. Each test runs a fresh interpreter: what this test process already imported
says nothing.
"""

from __future__ import annotations

import pytest

from pulumi_azure_peering.provider.properties import ABSENT_WHEN_CHECKED_KEY
from tests.fresh_interpreter import run_fresh
from tests.unit.provider.provider_fakes import stored_component_side

pytestmark = pytest.mark.unit

#: Imported only when a call needs ARM.
ARM_ONLY = (
    "requests",
    "urllib3",
    "tenacity",
    "azure.identity",
    "pulumi_azure_peering.provider.arm.client",
    "pulumi_azure_peering.provider.arm.connections",
    "pulumi_azure_peering.provider.arm.pipeline",
)
#: Imported only when a call parses or builds a peering (a spec, ARM's answer for a peering, an error body).
MODELS = ("pydantic", "pydantic_core", "pulumi_azure_peering.provider.models")


def test_loading_the_provider_as_the_engines_first_check_does_imports_no_arm_transport() -> None:
    loaded = run_fresh(
        f"""
        import json, sys
        import pulumi.dynamic  # what `python -m pulumi.dynamic` imports before it serves
        import pulumi_azure_peering.provider.resource  # what unpickling the provider imports
        print(json.dumps({{name: name in sys.modules for name in {ARM_ONLY + MODELS!r}}}))
        """
    )
    assert loaded == dict.fromkeys(ARM_ONLY + MODELS, False)


def test_a_no_change_check_and_diff_import_no_arm_transport() -> None:
    stored = stored_component_side()
    # what the program sends for it: its inputs without what a create's check added
    news = {k: v for k, v in stored["inputs"].items() if k != ABSENT_WHEN_CHECKED_KEY}
    answer = run_fresh(
        f"""
        import json, sys
        from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
        stored, news = json.load(sys.stdin)
        provider = VirtualNetworkPeeringProvider()
        checked = provider.check(stored["inputs"], news)
        diff = provider.diff(stored["id"], stored["outputs"], checked.inputs)
        print(json.dumps({{
            "failures": [f.reason for f in checked.failures],
            "changes": diff.changes,
            "loaded": {{name: name in sys.modules for name in {ARM_ONLY + MODELS!r}}},
        }}))
        """,
        [stored, news],
    )
    assert answer == {"failures": [], "changes": False, "loaded": dict.fromkeys(ARM_ONLY + MODELS, False)}


def test_the_programs_imports_and_the_arm_client_import_no_models_until_a_peering_is_parsed() -> None:
    """The program imports the component, then the ARM client for its vnet reads (vnet JSON, no model); the first
    peering ARM answers is parsed by the models, imported at that moment, and the same class as their module's."""
    answer = run_fresh(
        f"""
        import json, sys
        import pulumi
        from pulumi_azure_peering import HubSpokePeering
        from pulumi_azure_peering.provider.arm import ArmClient
        from pulumi_azure_peering.provider.arm.client import peering_from
        before = {{name: name in sys.modules for name in {MODELS!r}}}
        group = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg"
        vnet = group + "/providers/Microsoft.Network/virtualNetworks/hub"
        payload = {{
            "id": vnet + "/virtualNetworkPeerings/to-spoke",
            "name": "to-spoke",
            "properties": {{"remoteVirtualNetwork": {{"id": vnet + "2"}}, "peeringState": "Connected"}},
        }}
        peering = peering_from(payload, payload["id"])
        from pulumi_azure_peering.provider.models import VirtualNetworkPeeringResource
        print(json.dumps({{
            "before": before,
            "after": {{name: name in sys.modules for name in {MODELS!r}}},
            "state": peering.properties.peering_state,
            "same_class": type(peering) is VirtualNetworkPeeringResource,
        }}))
        """
    )
    assert answer == {
        "before": dict.fromkeys(MODELS, False),
        "after": dict.fromkeys(MODELS, True),
        "state": "Connected",
        "same_class": True,
    }


def test_every_lazily_exported_name_is_its_modules_object() -> None:
    answer = run_fresh(
        """
        import importlib, json
        from pulumi_azure_peering import provider
        from pulumi_azure_peering.provider import arm
        wrong = []
        for package in (provider, arm):
            for name in package.__all__:
                value = getattr(package, name)
                home = importlib.import_module(getattr(value, "__module__", None) or package.__name__)
                if isinstance(value, type) or callable(value):
                    if getattr(home, name, None) is not value:
                        wrong.append(f"{package.__name__}.{name}")
                if name not in dir(package):
                    wrong.append(f"{package.__name__}.{name} not in dir()")
        try:
            arm.NoSuchName
        except AttributeError as exc:
            missing = str(exc)
        from pulumi_azure_peering.provider import ArmClient, RetryPolicy
        from pulumi_azure_peering.provider.arm.client import ArmClient as HomeClient
        print(json.dumps({"wrong": wrong, "missing": missing, "same": ArmClient is HomeClient}))
        """
    )
    assert answer == {
        "wrong": [],
        "missing": "module 'pulumi_azure_peering.provider.arm' has no attribute 'NoSuchName'",
        "same": True,
    }
