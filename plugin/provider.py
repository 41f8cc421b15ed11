"""The ``azure-peering`` provider plugin: ``pulumi.provider.experimental.Provider`` over the peering core.

Every resource operation is a call of the dynamic provider's own methods
(:class:`~pulumi_azure_peering.provider.resource.VirtualNetworkPeeringProvider`): validation, preflight, retries,
per-vnet write serialisation, sync of resized vnets, re-arming Disconnected peerings, who may touch a peering
(provider/ownership.py). What this module adds is only what a plugin has and a dynamic provider does not:

- names: the schema's camelCase in, the core's snake_case below (:mod:`.names`);
- ``customTimeouts``: the engine's per-operation timeout becomes the core's deadline for that operation;
- ``pulumi import``: ``read`` with no state returns the inputs the peering has in ARM;
- concurrency: blocking core calls run on a thread pool sized by ``AZURE_PEERING_PLUGIN_THREADS`` (default 64), so
  the engine's ``--parallel`` is the limit, not the dynamic provider's fixed 4 threads;
- provider configuration (stack config ``azure-peering:*`` or an explicit ``Provider`` resource), handed to the
  core's ``configure`` exactly as the dynamic provider gets it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import logging
import os
import re
import sys
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import grpc
import pulumi
import pulumi.dynamic as dyn
import pulumi.runtime.config
from pulumi.dynamic.config import Config as DynamicConfig
from pulumi.errors import InputPropertyErrorDetails
from pulumi.output import Unknown
from pulumi.provider.experimental import provider as px
from pulumi.provider.experimental.property_value import PropertyValue, PropertyValueType
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN

from pulumi_azure_peering import __version__
from pulumi_azure_peering.components.hub_spoke import HubSpokeError, HubSpokePeeringArgs, SpokeArgs
from pulumi_azure_peering.provider import progress
from pulumi_azure_peering.provider.diffing import arm_differences
from pulumi_azure_peering.provider.errors import (
    OperationTimeoutError,
    PeeringError,
    PeeringOperationError,
    SettingsError,
)
from pulumi_azure_peering.provider.properties import RESOURCE_NAME_KEY
from pulumi_azure_peering.provider.resource import CONFIG_KEYS, VirtualNetworkPeeringProvider
from pulumi_azure_peering.provider.runtime import process_runtime
from pulumi_azure_peering.provider.schema import BOOL_DEFAULTS, INPUTS, LOCAL_FIELDS
from pulumi_azure_peering.provider.settings import resolve_settings
from pulumi_azure_peering.provider.validation import MAX_TIMEOUT_SECONDS, normalise
from pulumi_azure_peering.sdk_workarounds import freeze_start_up_heap

from . import HUB_SPOKE_TYPE, PACKAGE, PEERING_TYPE
from .names import camel, snake, to_camel, to_snake
from .schema import SCHEMA_FILE

log = logging.getLogger("azure-peering.plugin")
T = TypeVar("T")

DEFAULT_THREADS = 64


# -- property values <-> the core's plain Python values -----------------------------------------------------------


def to_python(value: PropertyValue) -> Any:
    """A property value as the core takes it: plain values, unknowns as ``pulumi.output.Unknown``, secrets opened
    (nothing the core is given is stored by it; the engine keeps an input's secretness on the outputs)."""
    inner = value.value
    # Scalars first, by their concrete types: ``PropertyValue.type`` is a chain of isinstance checks (abstract
    # Sequence and Mapping among them), and a hub's no-change preview converts some 70,000 values.
    if inner is None or isinstance(inner, bool | float | str):
        return inner
    kind = value.type
    if kind == PropertyValueType.COMPUTED:
        return Unknown()  # type: ignore[no-untyped-call]
    if kind == PropertyValueType.ARRAY:
        assert isinstance(inner, tuple)
        return [to_python(v) for v in inner]
    if kind == PropertyValueType.MAP:
        assert isinstance(inner, Mapping)
        return {k: to_python(v) for k, v in inner.items()}
    if kind == PropertyValueType.RESOURCE:
        raise ValueError("resource references are not inputs of azure-peering resources")
    return inner


def to_property_value(value: Any) -> PropertyValue:
    """The reverse of :func:`to_python` (numbers as floats, tuples as lists). An unknown is sent as the wire's
    unknown sentinel: the SDK's ``PropertyValue.marshal`` cannot encode ``Computed`` itself."""
    if isinstance(value, Unknown):
        return PropertyValue(UNKNOWN)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return PropertyValue(value)
    if isinstance(value, int | float):
        return PropertyValue(float(value))
    if isinstance(value, list | tuple):
        return PropertyValue([to_property_value(v) for v in value])
    if isinstance(value, Mapping):
        return PropertyValue({str(k): to_property_value(v) for k, v in value.items()})
    raise TypeError(f"cannot send {type(value).__name__} to the engine")


def _props_in(values: Mapping[str, PropertyValue]) -> dict[str, Any]:
    return to_snake({k: to_python(v) for k, v in values.items()})


def _props_out(values: Mapping[str, Any], secret: frozenset[str] = frozenset()) -> dict[str, PropertyValue]:
    """camelCase property values for the engine; the properties named in `secret` stay secrets (the engine relies
    on a provider that accepts secrets to return them marked)."""
    out = {k: to_property_value(v) for k, v in to_camel(values).items()}
    # :func:`to_property_value` makes no secret: only the named ones need the copy that marks them
    for k in secret & out.keys():
        out[k] = out[k].with_secret(True)
    return out


def _secrets(*maps: Mapping[str, PropertyValue]) -> frozenset[str]:
    """The (camelCase) properties given as secrets, or holding one."""
    return frozenset(k for values in maps for k, v in values.items() if v.contains_secret())


# The core's messages name fixes in Python, the dynamic resource's language. A package user writes YAML, TypeScript,
# Go or C#, and the provider is not told which: each fix is said in the package's own (camelCase) terms, with the
# YAML and TypeScript spellings of the resource options.
_PACKAGE_WORDING: tuple[tuple[str, str], ...] = (
    (
        "opts=ResourceOptions(aliases=[Alias(name='<old resource name>')])",
        "the resource option aliases (YAML: `options: {aliases: [{name: <old resource name>}]}`; TypeScript: "
        '`{ aliases: [{ name: "<old resource name>" }] }`)',
    ),
    ("SpokeArgs(previous_keys=['<old key>'])", "the spoke's previousKeys: [<old key>]"),
    ("delete_before_replace=False", "deleteBeforeReplace: false"),
)


def in_package_terms(text: str) -> str:
    """A core message as a package user reads it: their option syntax, the schema's camelCase property names."""
    for python, package in _PACKAGE_WORDING:
        text = text.replace(python, package)

    def named(match: re.Match[str]) -> str:
        word = match.group(1)
        return camel(word) if word in _SNAKE_INPUTS else word

    return re.sub(r"\b([a-z]+(?:_[a-z0-9]+)+)\b", named, text)


# The peering's inputs, and the component's words the core's messages use.
_SNAKE_INPUTS = frozenset(INPUTS) | {"use_hub_gateway"}


def _with_timeout(props: dict[str, Any], operation: str, seconds: float) -> dict[str, Any]:
    """The core's ``timeouts`` with the engine's customTimeouts for ``operation`` in it, when one was set.

    The core takes at most MAX_TIMEOUT_SECONDS (24 h) per operation. The engine sends customTimeouts only with the
    operation itself, never to ``check``, so a longer one cannot be refused at preview; it is clamped (said on the
    console), rather than failing the write with an error about ``timeouts``, an input the user never set."""
    if seconds and seconds > 0:
        if seconds > MAX_TIMEOUT_SECONDS:
            progress.say(
                f"customTimeouts.{operation} = {seconds:g}s is longer than the {MAX_TIMEOUT_SECONDS:g}s a peering "
                f"operation may take here: {MAX_TIMEOUT_SECONDS:g}s is used"
            )
            seconds = MAX_TIMEOUT_SECONDS
        timeouts = props.get("timeouts")
        props = dict(props)
        props["timeouts"] = {**(timeouts if isinstance(timeouts, Mapping) else {}), operation: float(seconds)}
    return props


def _name_timeout(exc: PeeringOperationError, operation: str, seconds: float) -> PeeringOperationError:
    """A failure caused by running out of time says which timeout ran out (customTimeouts, when it was that)."""
    if seconds and seconds > 0 and isinstance(exc.cause, OperationTimeoutError):
        return PeeringOperationError(f"{exc} [customTimeouts.{operation} = {seconds:g}s ran out]", exc.cause)
    return exc


# -- the component's inputs ----------------------------------------------------------------------------------------


def _id_input(value: PropertyValue, deps: frozenset[str]) -> pulumi.Input[str]:
    """A vnet id: a plain string when known and free of dependencies, else an output carrying them."""
    deps = deps | value.dependencies
    if value.type == PropertyValueType.STRING and not deps and not value.is_secret:
        assert isinstance(value.value, str)
        return value.value
    from pulumi.resource import DependencyResource

    known = value.type != PropertyValueType.COMPUTED
    inner = value.value if known else None
    return pulumi.Output(
        {DependencyResource(urn) for urn in deps},
        _done(inner),
        _done(known),
        _done(value.is_secret),
    )


def _done(value: Any) -> asyncio.Future[Any]:
    future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


def _plain(path: str, value: PropertyValue) -> Any:
    if value.type == PropertyValueType.COMPUTED:
        raise pulumi.InputPropertyError(path, "must be known when the program runs (it decides which peerings exist)")
    return to_python(value)


def hub_spoke_args(inputs: Mapping[str, PropertyValue]) -> HubSpokePeeringArgs:
    """``HubSpokePeeringArgs`` from the component's camelCase inputs. The vnet ids may be outputs of other
    resources (they are then planned once known, as in Python); every other input decides the shape of the topology
    and must be known."""
    if "hubVnetId" not in inputs:
        raise pulumi.InputPropertyError("hubVnetId", "is required")
    spokes_value = inputs.get("spokes", PropertyValue({}))
    spokes_deps = spokes_value.dependencies
    if spokes_value.type == PropertyValueType.COMPUTED:
        raise pulumi.InputPropertyError("spokes", "must be known when the program runs (its keys name resources)")
    spokes: dict[str, SpokeArgs] = {}
    raw_spokes = spokes_value.value if isinstance(spokes_value.value, Mapping) else {}
    for key, spoke_value in raw_spokes.items():
        if not isinstance(spoke_value.value, Mapping) or "vnetId" not in spoke_value.value:
            raise pulumi.InputPropertyError(f"spokes.{key}", "expected an object with at least vnetId")
        fields: dict[str, Any] = {}
        for name, item in spoke_value.value.items():
            if name == "vnetId":
                fields["vnet_id"] = _id_input(item, spokes_deps | spoke_value.dependencies)
            elif item.type != PropertyValueType.NULL:
                fields[snake(name)] = _plain(f"spokes.{key}.{name}", item)
        try:
            spokes[key] = SpokeArgs(**fields)
        except TypeError as exc:
            raise pulumi.InputPropertyError(f"spokes.{key}", str(exc)) from None
    top: dict[str, Any] = {}
    for name, item in inputs.items():
        if name in ("hubVnetId", "spokes") or item.type == PropertyValueType.NULL:
            continue
        top[snake(name)] = _plain(name, item)
    try:
        return HubSpokePeeringArgs(hub_vnet_id=_id_input(inputs["hubVnetId"], frozenset()), spokes=spokes, **top)
    except TypeError as exc:
        raise pulumi.InputPropertyError("", str(exc)) from None


def _schema_path(path: str) -> str:
    """A planner's field path in the schema's names: ``spokes["a"].vnet_id`` -> ``spokes["a"].vnetId``."""
    parts = re.split(r'(\["[^"]*"\])', path)  # spoke keys, in brackets, stay as they are
    return "".join(
        part if part.startswith('["') else re.sub(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", lambda m: camel(m.group(0)), part)
        for part in parts
    )


def _camel_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {camel(k) if "_" in k and not k.startswith("mesh.") else k: _camel_keys(v) for k, v in value.items()}
    return value


async def _output_value(output: pulumi.Output[Any]) -> PropertyValue:
    """An output of the component as a property value, with its secretness and the resources it comes from."""
    urns = {await r.urn.future() for r in await output.resources()}
    deps = {u for u in urns if u}
    if not await output.is_known():
        return PropertyValue(UNKNOWN)
    value = to_property_value(_camel_keys(await output.future(with_unknowns=True)))
    return value.with_secret(await output.is_secret()).with_dependencies(deps)


# -- the provider ----------------------------------------------------------------------------------------------------


class AzurePeeringProvider(px.Provider):
    """The plugin's provider: one instance per provider the engine loads (the default one, or each ``Provider``)."""

    def __init__(self, core: VirtualNetworkPeeringProvider | None = None, threads: int | None = None) -> None:
        self.core = core or VirtualNetworkPeeringProvider()
        workers = threads or int(os.environ.get("AZURE_PEERING_PLUGIN_THREADS") or DEFAULT_THREADS)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="azure-peering")

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, functools.partial(fn, *args))

    # -- schema and configuration -----------------------------------------------------------------------------

    async def get_schema(self, request: px.GetSchemaRequest) -> px.GetSchemaResponse:
        # The packaged schema.json, which a unit test holds equal to what plugin/schema.py generates: generating it
        # parses this package's sources (about 45 ms), and a YAML or TypeScript program's language host starts
        # this plugin for its schema before every preview and `up`.
        return px.GetSchemaResponse(schema=SCHEMA_FILE.read_text(encoding="utf-8"))

    @staticmethod
    def _config_of(values: Mapping[str, Any]) -> dict[str, Any]:
        """``azure-peering:<key>`` -> value, from the engine's config variables or a provider's inputs."""
        config: dict[str, Any] = {}
        for key in CONFIG_KEYS:
            for name in (f"{PACKAGE}:{key}", f"{PACKAGE}:config:{key}", key):
                value = values.get(name)
                if isinstance(value, PropertyValue):
                    value = to_python(value)
                if value is not None and value != "" and not isinstance(value, Unknown):
                    config[f"{PACKAGE}:{key}"] = value
                    break
        return config

    async def check_config(self, request: px.CheckRequest) -> px.CheckResponse:
        """Settings that cannot work (an http endpoint, an unknown cloud, a missing CA file) fail at preview."""
        failures: list[px.CheckFailure] = []
        config = self._config_of(request.new_inputs)
        try:
            resolve_settings(None, config)
        except SettingsError as exc:
            failures.append(px.CheckFailure("", str(exc)))
        return px.CheckResponse(inputs=request.new_inputs, failures=failures)

    async def diff_config(self, request: px.DiffRequest) -> px.DiffResponse:
        """A settings change changes where the provider looks, never the peerings: an update, never a replace."""
        old, new = self._config_of(request.old_state), self._config_of(request.new_inputs)
        changed = sorted(k.split(":", 1)[1] for k in set(old) | set(new) if old.get(k) != new.get(k))
        return px.DiffResponse(changes=bool(changed), diffs=changed)

    async def configure(self, request: px.ConfigureRequest) -> px.ConfigureResponse:
        config = self._config_of({**request.variables, **request.args})
        self.core.configure(dyn.ConfigureRequest(DynamicConfig(config, PACKAGE)))
        # No preview creates/updates: the core computes outputs from ARM, there is nothing to guess at preview.
        return px.ConfigureResponse(accept_secrets=True, supports_preview=False, accept_resources=True)

    # -- VirtualNetworkPeering ------------------------------------------------------------------------------------

    @staticmethod
    def _require_peering(type_: str) -> None:
        # a URN's type is the parent types' chain, `$`-separated: the resource's own type comes last
        if type_.rsplit("$", 1)[-1] != PEERING_TYPE:
            raise ValueError(f"unknown resource type {type_!r}: this provider serves {PEERING_TYPE}")

    async def check(self, request: px.CheckRequest) -> px.CheckResponse:
        self._require_peering(request.type)
        olds = _props_in(request.old_inputs)
        news = _props_in(request.new_inputs)
        if news.get("name") is None:
            news["name"] = request.name  # as the dynamic resource: the peering is named like the resource
        news[RESOURCE_NAME_KEY] = request.name
        result = await self._run(self.core.check, olds, news)
        return px.CheckResponse(
            inputs=_props_out(result.inputs or {}, _secrets(request.new_inputs)),
            failures=[px.CheckFailure(camel(f.property), in_package_terms(f.reason)) for f in result.failures or []],
        )

    async def diff(self, request: px.DiffRequest) -> px.DiffResponse:
        self._require_peering(request.type)
        # Each side converted once: the core's diff reads them and does not change them (a no-change preview of a
        # hub converts 400 peerings' states on the event loop that also runs the component's construct).
        olds, news = _props_in(request.old_state), _props_in(request.new_inputs)
        result = await self._run(self.core.diff, request.resource_id, olds, news)
        replaces = [camel(k) for k in result.replaces or []]
        # What changed, for the display: the core's own comparison of the ARM properties (a diff that only comes
        # from drift, a Disconnected or out-of-sync peering, names no property)
        changed = [camel(k) for k in arm_differences(news, olds)] if result.changes else []
        return px.DiffResponse(
            changes=bool(result.changes),
            replaces=replaces,
            delete_before_replace=bool(result.delete_before_replace),
            diffs=sorted(set(changed) | set(replaces)),
            detailed_diff={
                k: px.PropertyDiff(
                    px.PropertyDiffKind.UPDATE_REPLACE if k in replaces else px.PropertyDiffKind.UPDATE, True
                )
                for k in sorted(set(changed) | set(replaces))
            },
        )

    async def create(self, request: px.CreateRequest) -> px.CreateResponse:
        self._require_peering(request.type)
        props = _with_timeout(_props_in(request.properties), "create", request.timeout)
        try:
            result = await self._run(self.core.create, props)
        except PeeringOperationError as exc:
            raise _name_timeout(exc, "create", request.timeout) from None
        outs = _props_out(result.outs or {}, _secrets(request.properties))
        return px.CreateResponse(resource_id=result.id, properties=outs)

    async def read(self, request: px.ReadRequest) -> px.ReadResponse:
        """Refresh, and ``pulumi import`` (no state yet: the inputs are read from the peering in ARM)."""
        self._require_peering(request.type)
        importing = not request.properties
        state = _props_in(request.properties) if not importing else normalise({})
        result = await self._run(self.core.read, request.resource_id, state)
        if not result.id:
            return px.ReadResponse(resource_id="", properties={}, inputs={})
        outs = dict(result.outs or {})
        inputs = imported_inputs(outs) if importing else _props_in(request.inputs)
        secret = _secrets(request.properties, request.inputs)
        return px.ReadResponse(
            resource_id=result.id, properties=_props_out(outs, secret), inputs=_props_out(inputs, secret)
        )

    async def update(self, request: px.UpdateRequest) -> px.UpdateResponse:
        self._require_peering(request.type)
        news = _with_timeout(_props_in(request.news), "update", request.timeout)
        try:
            result = await self._run(self.core.update, request.resource_id, _props_in(request.olds), news)
        except PeeringOperationError as exc:
            raise _name_timeout(exc, "update", request.timeout) from None
        return px.UpdateResponse(properties=_props_out(result.outs or {}, _secrets(request.news)))

    async def delete(self, request: px.DeleteRequest) -> None:
        self._require_peering(request.type)
        props = _with_timeout(_props_in(request.properties), "delete", request.timeout)
        # who is deleting: outputs written before resources carried their name lack it (provider/ownership.py)
        props.setdefault(RESOURCE_NAME_KEY, request.urn.rsplit("::", 1)[-1])
        try:
            await self._run(self.core.delete, request.resource_id, props)
        except PeeringOperationError as exc:
            raise _name_timeout(exc, "delete", request.timeout) from None

    # -- HubSpokePeering ------------------------------------------------------------------------------------------

    async def construct(self, request: px.ConstructRequest) -> px.ConstructResponse:
        from .children import PackageHubSpokePeering

        if request.resource_type != HUB_SPOKE_TYPE:
            raise ValueError(f"unknown component type {request.resource_type!r}: this provider serves {HUB_SPOKE_TYPE}")
        args = hub_spoke_args(request.inputs)
        # The component reads the vnets with this provider's settings (an explicit Provider's, or the stack's
        # azure-peering:* config, then the environment), as its children will be written.
        try:
            component = PackageHubSpokePeering(request.name, args, request.options, settings=self.core.settings)
        except HubSpokeError as exc:
            # the topology cannot be deployed: the user gets the planner's lines, not a Python traceback
            errors: list[InputPropertyErrorDetails] = []
            for line in exc.lines:
                path, _, reason = line.partition(": ")
                if not reason:
                    path, reason = "", line
                errors.append({"property_path": _schema_path(path), "reason": reason})
            raise pulumi.InputPropertiesError(str(exc).splitlines()[0], errors) from None
        state = {
            "peerings": await _output_value(component.peerings),
            "meshPeerings": await _output_value(component.mesh_peerings),
            "topologyMermaid": await _output_value(component.topology_mermaid),
        }
        urn = await component.urn.future()
        assert urn is not None
        return px.ConstructResponse(
            urn=urn, state=state, state_dependencies={k: v.all_dependencies() for k, v in state.items()}
        )


def imported_inputs(outs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of an imported peering, from what ARM has: its identity and the flags that differ from Azure's
    defaults (what a program declaring this peering would write). Subnet and prefix lists only for a subnet
    peering (for a whole-vnet peering ARM reports the vnets' spaces, which are not inputs)."""
    inputs: dict[str, Any] = {key: outs.get(key) for key in ("virtual_network_id", "remote_virtual_network_id", "name")}
    for key, default in BOOL_DEFAULTS.items():
        if key in LOCAL_FIELDS:
            continue
        if outs.get(key) is not None and outs.get(key) != default:
            inputs[key] = outs[key]
    if outs.get("peer_complete_vnets") is False:
        for key in ("local_subnet_names", "remote_subnet_names"):
            if outs.get(key):
                inputs[key] = outs[key]
    return inputs


class _Servicer(ProviderServicer):
    """The SDK's servicer, except that a peering error reaches the user as its one line (what the dynamic provider
    shows), not as "Unexpected <class 'Exception'>" followed by a Python traceback."""

    async def _plainly(self, call: Callable[[], Awaitable[T]], context: Any) -> T:
        try:
            return await call()
        except Exception as exc:
            cause = exc.__context__  # the SDK re-raises every error as Exception(message + traceback)
            if isinstance(cause, PeeringError):
                await context.abort(grpc.StatusCode.UNKNOWN, in_package_terms(str(cause)))
            raise

    async def Check(self, request: Any, context: Any) -> Any:
        return await self._plainly(lambda: super(_Servicer, self).Check(request, context), context)

    async def Diff(self, request: Any, context: Any) -> Any:
        return await self._plainly(lambda: super(_Servicer, self).Diff(request, context), context)

    async def Create(self, request: Any, context: Any) -> Any:
        return await self._plainly(lambda: super(_Servicer, self).Create(request, context), context)

    async def Read(self, request: Any, context: Any) -> Any:
        return await self._plainly(lambda: super(_Servicer, self).Read(request, context), context)

    async def Update(self, request: Any, context: Any) -> Any:
        return await self._plainly(lambda: super(_Servicer, self).Update(request, context), context)

    async def Delete(self, request: Any, context: Any) -> Any:
        return await self._plainly(lambda: super(_Servicer, self).Delete(request, context), context)


def main() -> None:
    """``pulumi-resource-azure-peering``: the engine starts it with its own address; it prints its port.

    What ``pulumi.provider.experimental.server.main`` does, with :class:`_Servicer`."""
    parser = argparse.ArgumentParser(description="azure-peering provider plugin (gRPC server)")
    parser.add_argument("engine", help="Pulumi engine address")
    parser.add_argument("--logflow", action="store_true", help="ignored")
    parser.add_argument("--logtostderr", action="store_true", help="ignored")
    engine = parser.parse_known_args()[0].engine
    logging.getLogger("azure.identity").setLevel(logging.ERROR)
    # Like the dynamic-provider process: stop writing as soon as the engine that started us is gone.
    process_runtime().watch_engine(provider_process=True)
    progress.show_through_engine(engine)  # what the provider waits for: a plugin's stderr is hidden by the engine
    # what the SDK, gRPC and this package imported lives as long as the process: the collector need not walk it again
    freeze_start_up_heap()

    async def serve() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = _Servicer(sys.argv[1:], __version__, AzurePeeringProvider(), engine_address=engine)
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port(address="127.0.0.1:0")
        await server.start()
        sys.stdout.buffer.write(f"{port}\n".encode())
        sys.stdout.buffer.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


if __name__ == "__main__":
    main()
