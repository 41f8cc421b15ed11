"""How a failed operation reaches the engine from the dynamic-provider process: the SDK's own server module (loaded
from the installed SDK, without starting it) turns our exception into the gRPC status the engine prints."""

from __future__ import annotations

import ast
import importlib.util
import logging
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from pulumi_azure_peering.provider.errors import (
    PeeringOperationError,
    _not_a_peering_error,
    report_plainly_to_the_engine,
)

MESSAGE = "create peering 'hub-to-app' (vnet-hub -> vnet-app): ARM operation failed VnetAddressSpacesOverlap: ..."

pytestmark = pytest.mark.unit


def sdk_server_module() -> types.ModuleType:
    """``pulumi.dynamic.__main__`` of the installed SDK, executed without its final ``main()`` (which serves)."""
    spec = importlib.util.find_spec("pulumi.dynamic")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "__main__.py"
    tree = ast.parse(path.read_text())
    tree.body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and ast.unparse(node.value) == "main()")
    ]
    module = types.ModuleType("sdk_dynamic_server")
    exec(compile(tree, str(path), "exec"), module.__dict__)
    return module


class Context:
    """The part of a gRPC servicer context the SDK's server uses on failure."""

    def __init__(self) -> None:
        self.details: str | None = None

    def abort(self, code: Any, details: str) -> None:
        self.details = details
        raise Exception()  # what grpc's abort does


def status_details(server: types.ModuleType, exc: Exception) -> str:
    def create(self: Any, request: Any, context: Any) -> None:
        raise exc

    context = Context()
    with pytest.raises(Exception):  # noqa: B017 - the abort's own bare Exception
        server._abort_with_traceback(create)(None, None, context)
    assert context.details is not None
    return context.details


def test_a_peering_error_reaches_the_engine_as_its_message_and_a_bug_keeps_its_stack() -> None:
    server = sdk_server_module()
    if not hasattr(server, "_abort_with_traceback"):  # the floor (3.229): gRPC answers, see the test below
        assert report_plainly_to_the_engine(server) == "prefixed"
        logging.getLogger("grpc._server").removeFilter(_not_a_peering_error)
        return
    assert "Traceback (most recent call last)" in status_details(server, PeeringOperationError(MESSAGE))

    assert report_plainly_to_the_engine(server) == "plain"
    assert report_plainly_to_the_engine(server) == "plain"  # twice: still one stand-in
    assert status_details(server, PeeringOperationError(MESSAGE)) == MESSAGE
    bug = status_details(server, KeyError("peering_state"))
    assert bug.startswith("Traceback (most recent call last)") and "KeyError: 'peering_state'" in bug
    assert server.traceback.format_exception is sys.modules["traceback"].format_exception  # the rest untouched


def test_on_an_sdk_without_the_wrapper_grpcs_second_report_of_a_peering_error_is_dropped() -> None:
    server = types.ModuleType("older_sdk_server")  # the floor's server: no _abort_with_traceback
    grpc_log = logging.getLogger("grpc._server")
    try:
        assert report_plainly_to_the_engine(server) == "prefixed"
        assert report_plainly_to_the_engine(server) == "prefixed"
        assert grpc_log.filters.count(_not_a_peering_error) == 1

        def record(exc: BaseException) -> logging.LogRecord:
            return logging.LogRecord(
                "grpc._server", logging.ERROR, __file__, 1, "Exception calling application", (), (type(exc), exc, None)
            )

        assert not grpc_log.filter(record(PeeringOperationError(MESSAGE)))
        assert grpc_log.filter(record(KeyError("peering_state")))  # a bug is still logged with its stack
    finally:
        grpc_log.removeFilter(_not_a_peering_error)
