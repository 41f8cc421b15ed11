"""Bad input, property-based: whatever a program or ARM hands us, the answer is a valid plan or result, or failures
that name the field (a check failure, one readable line), never a traceback and never a wrong state.

- ``VirtualNetworkPeeringProvider.check`` with arbitrary dicts (unknown values anywhere, wrong types, stray keys),
  its preflight answered by a canned ARM;
- ``HubSpokePeering``'s own layer (``SpokeArgs`` of any type turned into a spec and planned);
- ARM answers of any shape for a peering (``read``) and for a virtual network (the preflight's facts).

The planner's own properties live in tests/unit/components/test_plan_properties.py; these extend them to the
component's arguments. Examples per property: 150 by default, 1,500 with ``RELIABILITY_HEAVY=1``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.topology import vnet_id
from pulumi_azure_peering.components.hub_spoke import HubSpokeError, HubSpokePeeringArgs, SpokeArgs, plan_for
from pulumi_azure_peering.components.plan import Plan
from pulumi_azure_peering.provider.arm import ArmClient, Deadline, RetryPolicy
from pulumi_azure_peering.provider.errors import MalformedResponseError, PeeringError, PeeringOperationError
from pulumi_azure_peering.provider.ids import same_id
from pulumi_azure_peering.provider.models import PeeringSpec
from pulumi_azure_peering.provider.resource import VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.runtime import Runtime, use_runtime
from pulumi_azure_peering.provider.settings import resolve_settings
from pulumi_azure_peering.provider.validation import KNOWN_INPUTS, is_unknown, validate_inputs
from pulumi_azure_peering.provider.vnet_facts import VnetCache, fetch_vnet_facts
from tests.reliability.knobs import examples
from tests.unit.provider.runtime_calls import UNKNOWN_INPUT, runtime_unknown

pytestmark = pytest.mark.reliability

PROFILE = settings(
    max_examples=examples(150, 1500),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Both kinds of "not known yet": the object the runtime hands check/diff, and the wire sentinel it came from.
UNKNOWNS = st.one_of(st.builds(runtime_unknown), st.just(UNKNOWN_INPUT))

SUBS = ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]


GOOD_IDS = [vnet_id(SUBS[0], "rg", "hub"), vnet_id(SUBS[0], "rg", "spoke1"), vnet_id(SUBS[1], "rg2", "spoke2")]
GOOD_IDS += [vnet_id(SUBS[1], "rg2", "missing"), GOOD_IDS[1].upper().replace("/SUBSCRIPTIONS/", "/subscriptions/")]
BAD_IDS = ["", "hub", "/subscriptions/x/resourceGroups/rg", GOOD_IDS[0] + "/subnets/app", "/subscriptions//"]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    UNKNOWNS,
)
json_values = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)

PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "virtual_network_id": st.sampled_from(GOOD_IDS + BAD_IDS),
    "remote_virtual_network_id": st.sampled_from(GOOD_IDS + BAD_IDS),
    "name": st.sampled_from(["hub-to-spoke", "p", "x" * 81, "bad name", "-lead", "trail.", ""]),
    "local_subnet_names": st.lists(
        st.one_of(st.sampled_from(["app", "GatewaySubnet", "nope", "bad name"]), UNKNOWNS), max_size=3
    ),
    "remote_subnet_names": st.lists(st.sampled_from(["app", "shared", "APP", ""]), max_size=3),
    "local_address_space": st.lists(
        st.sampled_from(["10.0.1.0/24", "10.0.0.1/24", "garbage", "fd00::/64"]), max_size=2
    ),
    "remote_address_space": st.lists(st.sampled_from(["10.1.0.0/24", "::/129", "10.1.0.0/16"]), max_size=2),
    "timeouts": st.one_of(
        st.dictionaries(
            st.sampled_from(["create", "update", "delete", "later"]),
            st.one_of(st.integers(-5, 10**6), st.floats(allow_nan=True), UNKNOWNS, st.just("30m")),
            max_size=3,
        ),
        UNKNOWNS,
    ),
    "sync_remote_address_space": st.one_of(st.sampled_from(["auto", "always", "never", "sometimes"]), UNKNOWNS),
    "auxiliary_tenant_ids": st.lists(st.one_of(st.sampled_from([*SUBS, "tenant.example"]), UNKNOWNS), max_size=4),
    "remote_vnet_address_space": st.lists(
        st.one_of(st.sampled_from(["10.1.0.0/16", "10.1.0.1/16", "fd00::/48", "garbage"]), UNKNOWNS), max_size=3
    ),
}
for flag in (
    "allow_virtual_network_access",
    "allow_forwarded_traffic",
    "allow_gateway_transit",
    "use_remote_gateways",
    "do_not_verify_remote_gateways",
    "peer_complete_vnets",
    "enable_only_ipv6_peering",
    "adopt_existing",
    "preflight",
):
    PLAUSIBLE[flag] = st.one_of(st.booleans(), UNKNOWNS, st.sampled_from(["true", 1, None]))


@st.composite
def input_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """Peering inputs as the engine could hand them over: plausible or arbitrary values, unknowns, stray keys."""
    out: dict[str, Any] = {}
    for key in sorted(KNOWN_INPUTS):
        mode = draw(st.integers(0, 9))
        if mode == 0:
            continue  # absent
        out[key] = draw(json_values) if mode == 1 else draw(PLAUSIBLE[key])
    if draw(st.integers(0, 5)) == 0:
        out[draw(st.sampled_from(["bogus", "remoteVirtualNetworkId", "Name", "__internal"]))] = draw(json_values)
    out["__provider"] = "serialized"
    return out


# -- a canned ARM for the preflight: vnets derived from their names, no network --------------------------------


class CannedArm(ArmClient):
    """Answers the preflight's reads from the vnet's name: ``missing`` does not exist, the others have a /16 of
    their own (two names share one, so overlaps occur), subnets ``app`` and ``GatewaySubnet``, no peerings."""

    def __init__(self) -> None:
        super().__init__(
            resolve_settings(None, {"azure-peering:armEndpoint": "https://arm.canned.test"}, environ={}),
            tokens=object(),  # type: ignore[arg-type]
            retry=RetryPolicy(sleep=lambda _: None),
        )

    def get_json(
        self,
        resource_id: str,
        *,
        api_version: str = "",
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
    ) -> dict[str, Any] | None:
        name = resource_id.rstrip("/").rsplit("/", 1)[-1].lower()
        if name == "missing":
            return None
        octet = int(hashlib.sha256(name.encode()).hexdigest(), 16) % 2
        return {
            "id": resource_id,
            "name": name,
            "location": "westeurope",
            "properties": {
                "provisioningState": "Succeeded",
                "addressSpace": {"addressPrefixes": [f"10.{octet}.0.0/16"]},
                "subnets": [
                    {"name": "app", "properties": {"addressPrefix": f"10.{octet}.1.0/24"}},
                    {"name": "GatewaySubnet", "properties": {"addressPrefix": f"10.{octet}.255.0/27"}},
                ],
                "virtualNetworkPeerings": [],
            },
        }

    def list_json(
        self,
        collection_path: str,
        *,
        api_version: str = "",
        auxiliary_tenant_ids: Sequence[str] = (),
        deadline: Deadline | None = None,
        enough: Callable[[list[dict[str, Any]]], bool] | None = None,
        on_page: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        return []


CANNED = CannedArm()


def canned_provider() -> VirtualNetworkPeeringProvider:
    provider = VirtualNetworkPeeringProvider()
    provider.client = lambda: CANNED  # type: ignore[method-assign]
    return provider


@PROFILE
@given(news=input_dicts(), olds=st.one_of(st.just({}), input_dicts()))
def test_check_never_raises_and_names_the_field(news: dict[str, Any], olds: dict[str, Any]) -> None:
    result = canned_provider().check(olds, news)
    assert isinstance(result.inputs, dict)
    for failure in result.failures:
        assert isinstance(failure.property, str) and failure.property, failure
        assert failure.property in KNOWN_INPUTS or failure.property in news, failure
        assert isinstance(failure.reason, str) and failure.reason.strip(), failure
        assert "\n" not in failure.reason and "Traceback" not in failure.reason, failure.reason
    unknown = is_unknown(news)
    if not result.failures and not unknown:
        # accepted inputs are exactly what create works from: a spec, and validating them again changes nothing
        spec = PeeringSpec.model_validate(result.inputs)
        assert same_id(spec.virtual_network_id, news["virtual_network_id"])
        again, failures = validate_inputs({k: v for k, v in result.inputs.items() if not k.startswith("__")})
        assert failures == [] and again == {k: v for k, v in result.inputs.items() if not k.startswith("__")}


@PROFILE
@given(news=input_dicts(), key=st.sampled_from(sorted(KNOWN_INPUTS)))
def test_an_unknown_value_never_adds_a_failure(news: dict[str, Any], key: str) -> None:
    """During preview a value may be unknown: that skips checks, it never makes new ones fail."""
    news = {**news, "preflight": False}
    known = {f.property for f in canned_provider().check({}, news).failures}
    hidden = {f.property for f in canned_provider().check({}, {**news, key: runtime_unknown()}).failures}
    assert hidden - {key} <= known


# -- the component's own layer ---------------------------------------------------------------------------------


anything = st.one_of(json_values, st.sampled_from([("app",), 7, b"bytes", object()]))


@st.composite
def spoke_args(draw: st.DrawFn) -> SpokeArgs:
    def pick(plausible: st.SearchStrategy[Any]) -> Any:
        return draw(st.one_of(plausible, plausible, anything))

    return SpokeArgs(
        vnet_id=draw(st.sampled_from(GOOD_IDS + BAD_IDS)),
        allow_forwarded_traffic=pick(st.booleans()),
        use_hub_gateway=pick(st.booleans()),
        link=pick(st.sampled_from(["vnet", "subnets", "ipv6", "VNET"])),
        local_subnet_names=pick(st.lists(st.sampled_from(["app", "bad name"]), max_size=2)),
        hub_subnet_names=pick(st.lists(st.sampled_from(["shared", "GatewaySubnet"]), max_size=2)),
        hub_peering_name=pick(st.one_of(st.none(), st.sampled_from(["h", "bad name"]))),
        spoke_peering_name=pick(st.one_of(st.none(), st.sampled_from(["s", "x" * 90]))),
        adopt_existing=pick(st.booleans()),
        timeouts=pick(st.one_of(st.none(), st.just({"create": "30m"}), st.just({"delete": -1}))),
        auxiliary_tenant_ids=pick(st.lists(st.sampled_from([*SUBS, "nope"]), max_size=4)),
        allow_virtual_network_access=pick(st.booleans()),
        join_mesh=pick(st.booleans()),
    )


@PROFILE
@given(
    hub=st.sampled_from(GOOD_IDS + BAD_IDS),
    spokes=st.dictionaries(
        st.one_of(st.sampled_from(["a", "b", "app-1"]), st.text(max_size=6)), spoke_args(), max_size=4
    ),
    mesh=st.one_of(st.booleans(), anything),
    timeouts=st.one_of(st.none(), anything),
    tenants=st.one_of(st.just(()), anything),
)
def test_component_arguments_plan_or_fail_by_field(
    hub: str, spokes: dict[str, SpokeArgs], mesh: Any, timeouts: Any, tenants: Any
) -> None:
    args = HubSpokePeeringArgs(
        hub_vnet_id=hub,
        spokes=spokes,
        mesh=mesh,
        timeouts=timeouts,
        auxiliary_tenant_ids=tenants,
        look_up_vnets=False,
    )
    try:
        plan = plan_for(args, hub, {key: str(s.vnet_id) for key, s in spokes.items()})
    except HubSpokeError as exc:
        assert exc.lines and all(line.strip() and "Traceback" not in line for line in exc.lines)
        for line in exc.lines:
            field = line.split(":", 1)[0]
            assert field and " " not in field.replace('"', "").split("[")[0], line  # starts with the field path
        return
    assert isinstance(plan, Plan) and plan.ok


# -- ARM answers of any shape ------------------------------------------------------------------------------------

PEERING_ID = GOOD_IDS[0] + "/virtualNetworkPeerings/hub-to-spoke"

peering_bodies = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.just(PEERING_ID), st.just(PEERING_ID.upper()), st.just(GOOD_IDS[1]), json_leaf),
        "name": st.one_of(st.just("hub-to-spoke"), json_leaf),
        "etag": json_leaf,
        "properties": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "remoteVirtualNetwork": st.one_of(st.just({"id": GOOD_IDS[1]}), json_values),
                    "peeringState": st.one_of(st.sampled_from(["Connected", "Initiated", "Reconnecting"]), json_leaf),
                    "peeringSyncLevel": st.one_of(st.sampled_from(["FullyInSync", "SomethingNew"]), json_leaf),
                    "provisioningState": st.one_of(st.sampled_from(["Succeeded", "Updating", "Weird"]), json_leaf),
                    "allowGatewayTransit": st.one_of(st.booleans(), json_leaf),
                    "remoteAddressSpace": st.one_of(st.just({"addressPrefixes": ["10.1.0.0/16"]}), json_values),
                    "remoteGateways": st.one_of(st.just([{"id": "gw"}]), json_values),
                },
            ),
        ),
    },
)


class OnePeering(CannedArm):
    """ARM with one peering of ``body``: its GET, the vnet's GET (showing it among the vnet's peerings when
    ``embedded``, else a vnet that shows none, whose peerings are then listed) and the vnet's listing of peerings
    (one item)."""

    def __init__(self, body: dict[str, Any], *, embedded: bool = True) -> None:
        super().__init__()
        self.body = body
        self.embedded = embedded

    def get_json(self, resource_id: str, **kwargs: Any) -> dict[str, Any] | None:
        if "/virtualnetworkpeerings/" in resource_id.lower():
            return self.body
        properties = {"virtualNetworkPeerings": [self.body]} if self.embedded else {}
        return {"id": resource_id, "name": resource_id.rsplit("/", 1)[-1], "properties": properties}

    def list_json(self, collection_path: str, **kwargs: Any) -> list[dict[str, Any]]:
        return [self.body]


@PROFILE
@given(body=peering_bodies, embedded=st.booleans())
def test_refresh_of_any_arm_answer_is_a_true_state_or_one_line(body: dict[str, Any], embedded: bool) -> None:
    # The first read of the vnet's peerings is a GET, the second is answered by the vnet's GET, which shows them,
    # or by a listing of them when it does not (provider.peering_reads): the same body every way, the same verdict.
    with use_runtime(Runtime()):  # each example is a process of its own
        _refresh_is_a_true_state_or_one_line(body, embedded)


def _refresh_is_a_true_state_or_one_line(body: dict[str, Any], embedded: bool = True) -> None:
    provider = VirtualNetworkPeeringProvider()
    provider.client = lambda: OnePeering(body, embedded=embedded)  # type: ignore[method-assign]
    props = {"virtual_network_id": GOOD_IDS[0], "name": "hub-to-spoke", "remote_virtual_network_id": GOOD_IDS[1]}
    for _ in ("GET", "listing"):
        try:
            result = provider.read(PEERING_ID, {**props, "__provider": "serialized"})
        except PeeringOperationError as exc:
            assert "\n" not in str(exc) and "read peering 'hub-to-spoke'" in str(exc)
            assert isinstance(exc.cause, MalformedResponseError), exc.cause
            continue
        outs = result.outs or {}
        # what is recorded is what ARM said, about the peering that was asked for
        assert result.id == PEERING_ID and same_id(outs["peering_id"], PEERING_ID)
        assert outs["remote_virtual_network_id"] == body["properties"]["remoteVirtualNetwork"]["id"]
        assert outs["peering_state"] == body["properties"].get("peeringState")


vnet_bodies = st.fixed_dictionaries(
    {"id": st.one_of(st.just(GOOD_IDS[0]), st.just(GOOD_IDS[2]), json_leaf)},
    optional={
        "name": json_leaf,
        "location": json_leaf,
        "properties": st.one_of(
            json_values,
            st.fixed_dictionaries(
                {},
                optional={
                    "addressSpace": st.one_of(st.just({"addressPrefixes": ["10.0.0.0/16"]}), json_values),
                    "subnets": st.one_of(
                        st.just([{"name": "app", "properties": {"addressPrefix": "10.0.1.0/24"}}]), json_values
                    ),
                    "virtualNetworkPeerings": json_values,
                    "provisioningState": json_leaf,
                },
            ),
        ),
    },
)


class OneVnet(CannedArm):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__()
        self.body = body

    def get_json(self, resource_id: str, **kwargs: Any) -> dict[str, Any] | None:
        return self.body


@PROFILE
@given(body=vnet_bodies)
def test_vnet_facts_from_any_arm_answer_or_a_peering_error(body: dict[str, Any]) -> None:
    try:
        facts = fetch_vnet_facts(OneVnet(body), GOOD_IDS[0])
    except PeeringError as exc:
        assert "\n" not in str(exc)
        return
    assert facts is not None and same_id(facts.id, GOOD_IDS[0])
    VnetCache()  # the cache holds facts of any content
