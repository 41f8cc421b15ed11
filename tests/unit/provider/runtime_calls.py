"""Call a dynamic provider the way the Pulumi runtime does, so tests see values as the runtime really delivers them.

The engine sends a resource's properties over gRPC as a protobuf ``Struct`` in which a value not known yet is the
wire sentinel ``pulumi.runtime.rpc.UNKNOWN``. ``pulumi.dynamic``'s servicer deserialises that Struct for ``check``
and ``diff`` with ``keep_unknowns=True``, which turns each sentinel into a :class:`pulumi.output.Unknown` object,
and serialises what ``check`` returns back into a Struct. :class:`RuntimeCalls` runs that very servicer (the SDK's
own ``DynamicResourceProviderServicer``) on a real ``CheckRequest`` / ``DiffRequest``, so no test depends on our
belief about what the provider receives.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import proto, rpc

#: Stands for "not known yet" in the properties given to :class:`RuntimeCalls`: it becomes the wire sentinel.
UNKNOWN_INPUT = rpc.UNKNOWN


def runtime_unknown() -> Any:
    """The value the dynamic-provider runtime hands ``check`` and ``diff`` for an input not known yet."""
    return rpc.deserialize_property(rpc.UNKNOWN, keep_unknowns=True)


class _Aborted(Exception):
    pass


class _Context:
    """The part of a gRPC servicer context the dynamic servicer touches: an abort carries its traceback."""

    def abort(self, code: Any, details: str) -> None:
        raise _Aborted(details)

    def set_code(self, code: Any) -> None:
        pass

    def set_details(self, details: str) -> None:
        pass


def _servicer_class() -> Any:
    # pulumi.dynamic.__main__ ends with main(), which starts a server: load its definitions without running it.
    name = "pulumi.dynamic.__main__"
    if name in sys.modules:
        return sys.modules[name].DynamicResourceProviderServicer
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.origin is not None
    source = open(spec.origin).read()  # noqa: SIM115 - read once, whole
    cut = source.rstrip().rsplit("\nmain()", 1)[0]
    module = importlib.util.module_from_spec(spec)
    exec(compile(cut, spec.origin, "exec"), module.__dict__)
    sys.modules[name] = module
    return module.DynamicResourceProviderServicer


def _struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(props))
    return struct


@dataclass(frozen=True)
class CheckOutcome:
    inputs: dict[str, Any]
    """The checked inputs as the engine receives them back, deserialised with unknowns kept."""
    failures: dict[str, str]
    """property -> reason."""


@dataclass(frozen=True)
class DiffOutcome:
    changes: str
    """``DIFF_SOME``, ``DIFF_NONE`` or ``DIFF_UNKNOWN``."""
    replaces: list[str]
    delete_before_replace: bool


class RuntimeCalls:
    """``check`` and ``diff`` of ``provider`` through the SDK's own servicer and wire format."""

    def __init__(self, provider: Any) -> None:
        self._provider_blob = serialize_provider(provider)
        self._servicer = _servicer_class()()

    def _props(self, props: Mapping[str, Any]) -> struct_pb2.Struct:
        return _struct({**props, "__provider": self._provider_blob})

    def check(self, news: Mapping[str, Any], olds: Mapping[str, Any] | None = None) -> CheckOutcome:
        request = proto.CheckRequest(
            urn="urn:pulumi:test::project::pulumi-python:dynamic:Resource::r",
            olds=self._props(olds) if olds else struct_pb2.Struct(),
            news=self._props(news),
        )
        response = self._servicer.Check(request, _Context())
        inputs = rpc.deserialize_properties(response.inputs, keep_unknowns=True)
        inputs.pop("__provider", None)
        return CheckOutcome(inputs, {f.property: f.reason for f in response.failures})

    def diff(self, olds: Mapping[str, Any], news: Mapping[str, Any], id_: str = "id") -> DiffOutcome:
        request = proto.DiffRequest(
            id=id_,
            urn="urn:pulumi:test::project::pulumi-python:dynamic:Resource::r",
            olds=self._props(olds),
            news=self._props(news),
        )
        response = self._servicer.Diff(request, _Context())
        changes = proto.DiffResponse.DiffChanges.Name(response.changes)
        return DiffOutcome(changes, list(response.replaces), bool(response.deleteBeforeReplace))
