"""Fault injection (seeded, reproducible) and the request log that tests and benchmarks count calls with."""

from __future__ import annotations

import time

import pytest
import requests

from pulumi_azure_peering.emulator.testing import AdminError, EmulatorProcess

from .helpers import error_code, get_props, peering_path, put_peering, seed_vnets, vnet_id, vnet_spec

pytestmark = pytest.mark.emulator

VNETS = vnet_id("a").rsplit("/", 1)[0]


@pytest.fixture
def two(emu: EmulatorProcess) -> EmulatorProcess:
    seed_vnets(emu, vnet_spec("a", ["10.1.0.0/16"]), vnet_spec("b", ["10.2.0.0/16"]))
    return emu


def test_throttling_and_server_errors(two: EmulatorProcess) -> None:
    emu = two
    emu.set_faults("seed=3;429=1;max=2;retry_after=2")
    since = emu.last_request_seq()
    for _ in range(2):
        r = emu.arm("GET", vnet_id("a"))
        assert (r.status_code, error_code(r), r.headers["Retry-After"]) == (429, "TooManyRequests", "2")
    assert emu.arm("GET", vnet_id("a")).status_code == 200  # budget spent
    log = [e for e in emu.request_log(since) if e["path"].startswith("/subscriptions")]
    assert [(e["status"], e["code"], e["fault"]) for e in log][:2] == [(429, "TooManyRequests", "429")] * 2
    emu.set_faults("500=1;max=1")
    assert emu.arm("GET", vnet_id("a")).status_code == 500
    emu.set_faults("503=1;max=1")
    r = emu.arm("GET", vnet_id("a"))
    assert r.status_code == 503 and "Retry-After" in r.headers
    assert emu.faults()["injected"] == {"503": 1}


def test_connection_resets_before_and_after_processing(two: EmulatorProcess) -> None:
    emu = two
    emu.set_faults("reset=1;max=1")
    with pytest.raises(requests.ConnectionError):
        emu.arm("GET", vnet_id("a"))
    assert emu.arm("GET", vnet_id("a")).status_code == 200
    emu.set_faults("reset_after=1;max=1;match=PUT:virtualNetworkPeerings")
    with pytest.raises(requests.ConnectionError):
        put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    # The write happened although its response was lost.
    assert emu.arm("GET", peering_path("a", "a-b")).status_code == 200
    assert [e["status"] for e in emu.request_log() if e["fault"] in ("reset", "reset_after")] == [0, 0]


def test_operations_that_fail_or_never_finish(two: EmulatorProcess) -> None:
    emu = two
    emu.set_faults("lro_fail=1;max=1")
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert r.status_code == 201
    final = emu.wait(r)
    assert final["status"] == "Failed"
    assert final["error"]["code"] == "InternalServerError"
    assert get_props(emu, peering_path("a", "a-b"))["provisioningState"] == "Failed"

    emu.set_faults("lro_hang=1;max=1")
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    time.sleep(0.05)
    assert emu.arm("GET", r.headers["Azure-AsyncOperation"], api_version=None).json()["status"] == "InProgress"
    assert error_code(put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)) == "AnotherOperationInProgress"
    assert emu.finish_operations() == 1
    assert emu.wait(r)["status"] == "Succeeded"


def test_slow_responses_and_slow_operations(two: EmulatorProcess) -> None:
    emu = two
    emu.set_faults("slow=1:0.3;max=1")
    started = time.monotonic()
    assert emu.arm("GET", vnet_id("a")).status_code == 200
    assert time.monotonic() - started >= 0.3
    emu.set_faults("lro_slow=1:0.4;max=1")
    started = time.monotonic()
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert emu.wait(r)["status"] == "Succeeded"
    assert time.monotonic() - started >= 0.4


def test_forced_token_expiry(two: EmulatorProcess) -> None:
    emu = two
    emu.set_faults("expire=1;max=1")
    r = emu.arm("GET", vnet_id("a"))
    assert (r.status_code, error_code(r)) == (401, "ExpiredAuthenticationToken")
    assert emu.arm("GET", vnet_id("a")).status_code == 200


def test_faults_are_reproducible_and_can_be_narrowed(two: EmulatorProcess) -> None:
    emu = two

    def run() -> list[int]:
        emu.set_faults("seed=11;429=0.3;503=0.2;match=GET:virtualNetworks")
        return [emu.arm("GET", vnet_id("a")).status_code for _ in range(20)]

    first, second = run(), run()
    assert first == second
    assert {429, 503, 200} <= set(first)
    emu.set_faults("429=1;match=PUT:virtualNetworkPeerings")
    assert emu.arm("GET", vnet_id("a")).status_code == 200
    assert put_peering(emu, "a", "a-b", vnet_id("b"), wait=False).status_code == 429
    with pytest.raises(AdminError) as bad:
        emu.set_faults("429=2")
    assert bad.value.status == 400
    emu.set_faults("")
    assert emu.faults()["spec"] == ""


def test_request_log_has_no_headers_or_tokens(two: EmulatorProcess) -> None:
    emu = two
    since = emu.last_request_seq()
    emu.arm("GET", vnet_id("a"), headers={"x-secret": "s3cr3t"})
    emu.arm("GET", vnet_id("nope"))
    entries = [e for e in emu.request_log(since) if e["path"].startswith("/subscriptions")]
    assert [(e["method"], e["status"], e["code"]) for e in entries] == [
        ("GET", 200, None),
        ("GET", 404, "ResourceNotFound"),
    ]
    assert entries[0]["path"] == vnet_id("a") and entries[0]["query"] == "api-version=2025-05-01"
    assert set(entries[0]) == {"seq", "time", "method", "path", "query", "status", "latency_ms", "code", "fault"}
    assert "s3cr3t" not in str(entries) and emu.token() not in str(emu.request_log())


def test_html404_is_a_gateway_page_not_arms_not_found(two: EmulatorProcess) -> None:
    emu = two
    put_peering(emu, "a", "a-b", vnet_id("b"))
    since = emu.last_request_seq()
    emu.set_faults("html404=1;max=2;match=GET:virtualNetworkPeerings/a-b")
    r = emu.arm("GET", peering_path("a", "a-b"))
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
    assert "<title>404 Not Found</title>" in r.text
    # the gateway answered before ARM: no CloudError, none of ARM's headers
    assert not any(name.lower().startswith("x-ms-") for name in r.headers)
    # only the matched requests; what ARM itself answers is unchanged
    assert emu.arm("GET", f"{vnet_id('a')}/virtualNetworkPeerings").status_code == 200
    r = emu.arm("GET", peering_path("a", "a-missing"))
    assert (r.status_code, error_code(r)) == (404, "NotFound")
    assert emu.arm("GET", peering_path("a", "a-b")).status_code == 404  # the second fault of max=2
    assert emu.arm("GET", peering_path("a", "a-b")).status_code == 200  # the peering was there all along
    assert emu.faults()["injected"] == {"html404": 2}
    log = [e for e in emu.request_log(since) if e["fault"] == "html404"]
    assert [(e["status"], e["code"]) for e in log] == [(404, "GatewayNotFound")] * 2


def test_403_is_an_identity_without_the_action_on_that_scope(two: EmulatorProcess) -> None:
    """``403``: ARM accepted the token but the identity lacks the RBAC action (AuthorizationFailed, naming the
    action and the scope); nothing is written, and requests the spec does not match are answered as usual."""
    emu = two
    emu.set_faults("403=1;match=PUT:virtualNetworkPeerings/a-b")
    r = put_peering(emu, "a", "a-b", vnet_id("b"), wait=False)
    assert (r.status_code, error_code(r)) == (403, "AuthorizationFailed")
    message = r.json()["error"]["message"]
    assert "'Microsoft.Network/virtualNetworks/virtualNetworkPeerings/write'" in message, message
    assert f"over scope '{peering_path('a', 'a-b')}'" in message, message
    assert emu.arm("GET", peering_path("a", "a-b")).status_code == 404
    assert put_peering(emu, "b", "b-a", vnet_id("a"), wait=False).status_code == 201
    assert emu.faults()["injected"] == {"403": 1}
