"""When the engine's first call of each kind reaches a dynamic-provider process: recorded by the bench's probe
through a real gRPC server, summed over a command's processes, and measured from a launch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import pytest

from bench import provider_probe, report
from bench.runs import CommandResult, ProviderCost
from bench.suite import _first_create_of_all

pytestmark = pytest.mark.unit

SERVICE = "pulumirpc.ResourceProvider"


@pytest.fixture
def watched_grpc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[provider_probe._Recorder]:
    """The probe's recorder, with ``grpc.server`` watched as the probe watches it (restored afterwards)."""
    monkeypatch.setattr(grpc, "server", grpc.server)
    recorder = provider_probe._Recorder(tmp_path)
    provider_probe._watch_grpc_server(recorder, workers=0)
    yield recorder


def _echo(request: bytes, _context: Any) -> bytes:
    return request


def test_the_first_call_of_each_method_is_noted_once_and_the_calls_still_answered(
    watched_grpc: provider_probe._Recorder,
) -> None:
    handlers = {name: grpc.unary_unary_rpc_method_handler(_echo) for name in ("Check", "Create")}
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))  # what pulumi.dynamic's main calls
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            check = channel.unary_unary(f"/{SERVICE}/Check")
            create = channel.unary_unary(f"/{SERVICE}/Create")
            assert check(b"first") == b"first"
            first_check = dict(watched_grpc.record["first_call_at"])
            assert create(b"made") == b"made"
            assert check(b"again") == b"again"
    finally:
        server.stop(None)
    noted = watched_grpc.record["first_call_at"]
    assert set(noted) == {"Check", "Create"}
    assert noted["Check"] == first_check["Check"]  # the second Check did not move it
    assert noted["Check"] <= noted["Create"]
    watched_grpc.write(final=True)
    assert json.loads(watched_grpc.path.read_text())["first_call_at"] == noted


def test_a_commands_processes_give_each_methods_earliest_first_call(tmp_path: Path) -> None:
    records: list[dict[str, Any]] = [
        {
            "pid": 1,
            "cpu_s": 1.0,
            "final": True,
            "launched_at": 99.9,
            "first_call_at": {"Check": 100.5, "Create": 101.0},
        },
        {"pid": 2, "cpu_s": 1.0, "final": True, "launched_at": 99.8, "first_call_at": {"Check": 100.2, "Read": 103.0}},
        {"pid": 3, "cpu_s": 1.0, "final": True},  # a process the engine asked nothing, recorded before launched_at
    ]
    for record in records:
        (tmp_path / f"provider-{record['pid']}.json").write_text(json.dumps(record))
    cost = ProviderCost.read(tmp_path)
    assert cost.first_call_at == {"Check": 100.2, "Create": 101.0, "Read": 103.0}
    assert cost.first_call_after("Create", since=100.0) == pytest.approx(1.0)
    assert cost.first_call_after("Delete", since=100.0) is None
    assert cost.launched_at == 99.8
    assert ProviderCost.read(tmp_path / "none").launched_at is None


def _run(started_at: float, first_create_at: float | None) -> CommandResult:
    calls = {"Create": first_create_at} if first_create_at is not None else {}
    cost = ProviderCost(1, 1.0, 0.1, 0.1, 0.1, 0.0, 0, True, first_call_at=calls)
    return CommandResult("up", 2.0, 0, started_at=started_at, provider=cost)


def test_stacks_launched_together_are_timed_from_the_first_launch_to_the_first_create_of_any() -> None:
    runs = [_run(10.0, 13.0), _run(10.1, 12.5), _run(10.2, None)]
    assert _first_create_of_all(runs) == pytest.approx(2.5)
    assert _first_create_of_all([_run(10.0, None)]) is None
    assert _first_create_of_all([]) is None


def test_the_first_write_table_splits_each_wait_at_the_first_create() -> None:
    rollout = {
        "case": "rollout",
        "n": 50,
        "latency_s": 0.2,
        "first_write_after_s": 1.47,
        "first_create_after_s": 1.44,
        "floor_first_create_after_s": 1.05,
        "shape_floor_first_create_after_s": 1.1,
        "library_floor_first_create_after_s": 1.3,
        "first_write_after_first_create_s": 0.03,
    }
    concurrent = {"case": "concurrent_stacks", "n": 10, "latency_s": 1.0, "first_write_after_s": 7.5}
    concurrent |= {"first_create_after_s": 7.4, "shape_floor_first_create_after_s": 4.2}
    without = {"case": "rollout", "n": 10, "latency_s": 0.2, "first_write_after_s": 1.1}  # measured before the probe
    lines = report.first_write_table({"cases": [rollout, concurrent, without]}).splitlines()
    assert lines[2] == "| rollout | 50 | 0.2 | 1.47 | 1.44 | 1.05 | 1.10 | 1.30 | 0.030 |"
    assert lines[3] == "| concurrent_stacks | 10 | 1 | 7.50 | 7.40 | - | 4.20 | - | - |"
    assert len(lines) == 4
