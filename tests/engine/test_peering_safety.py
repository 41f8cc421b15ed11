"""The real CLI against the emulator: adoption instead of `pulumi import`, preflight failures at preview with no
write reaching ARM, no secret or token in the state, and injected 429/409/5xx absorbed."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from harness.pulumi import program_tracebacks
from tests.arm_views import arm_writes
from tests.emulator_config import SUB_SPOKES, seeded_vnet
from tests.provider_on_emulator.programs import peering_program, state_outputs

pytestmark = pytest.mark.engine

JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.")


def is_conflict(entry: dict[str, Any]) -> bool:
    """ARM's answers to a write while another writer holds the vnet: 409 on the vnet itself, or
    ReferencedResourceNotProvisioned when it is the remote one."""
    return entry["status"] == 409 or entry.get("code") == "ReferencedResourceNotProvisioned"


def test_existing_peering_needs_adopt_existing(make_project: Callable[..., Any], emulator: Any) -> None:
    pid = f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/legacy"
    body = {
        "properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-analytics")}, "allowForwardedTraffic": True}
    }
    assert emulator.arm("PUT", pid, json=body).status_code in (200, 201)
    emulator.finish_operations()

    spec = {"local": "vnet-hub", "remote": "vnet-analytics", "name": "legacy", "resource": "legacy"}
    project = make_project(peering_program(spec))
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    assert "adopt_existing=true" in preview.output and "legacy" in preview.output
    assert arm_writes(emulator, seq) == []

    (project.workdir / "__main__.py").write_text(peering_program({**spec, "adopt_existing": True}))
    project.up()
    outputs = state_outputs(project)["legacy"]
    assert outputs["peering_id"].lower() == pid.lower()
    assert outputs["allow_forwarded_traffic"] is False  # brought to the program's inputs
    project.preview(expect_no_changes=True)
    project.destroy()
    assert emulator.arm("GET", pid).status_code == 404


def test_preflight_fails_preview_before_any_write(make_project: Callable[..., Any], emulator: Any) -> None:
    """The preflight refuses an overlap and a gateway that is not there at preview, with nothing written; with
    ``preflight=False`` the preview asks ARM nothing and the overlap is ARM's refusal at `up`."""
    emulator.seed(
        {
            "resourceGroups": [
                {
                    "subscriptionId": SUB_SPOKES,
                    "name": "rg-spokes",
                    "location": "westeurope",
                    "virtualNetworks": [{"name": "vnet-clash", "addressPrefixes": ["10.1.128.0/17"]}],
                }
            ]
        }
    )
    project = make_project(
        peering_program(
            {"local": "vnet-payments", "remote": "vnet-clash"},  # overlapping spaces
        )
    )
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok
    assert "VnetAddressSpacesOverlap" in preview.output and "remote_virtual_network_id" in preview.output
    up = project.up(check=False)  # up checks the same way: fails before writing anything
    assert not up.ok and "VnetAddressSpacesOverlap" in up.output
    (project.workdir / "__main__.py").write_text(
        peering_program({"local": "vnet-analytics", "remote": "vnet-payments", "use_remote_gateways": True})
    )
    preview = project.preview(check=False)
    assert not preview.ok and "RemoteVnetHasNoGateways" in preview.output and "use_remote_gateways" in preview.output
    assert arm_writes(emulator, seq) == []
    assert state_outputs(project) == {}

    # preflight=False (README): the same overlap passes preview, which reads neither vnet, and is ARM's to refuse
    # at `up`; the failed create leaves nothing in ARM or in the state
    (project.workdir / "__main__.py").write_text(
        peering_program({"local": "vnet-payments", "remote": "vnet-clash", "preflight": False})
    )
    seq = emulator.last_request_seq()
    project.preview()
    assert emulator.request_log(since=seq) == []  # not even a token: nothing asked of ARM
    up = project.up(check=False)
    assert not up.ok and "ARM 400 VnetAddressSpacesOverlap" in up.output, up.output
    assert program_tracebacks(up.output) == [], up.output
    pid = f"{seeded_vnet('vnet-payments')}/virtualNetworkPeerings/vnet-payments-to-vnet-clash".lower()
    arm = [r for r in emulator.request_log(since=seq) if r["path"].lower().startswith("/subscriptions")]
    assert [(r["method"], r["path"].lower(), r["status"]) for r in arm] == [("GET", pid, 404), ("PUT", pid, 400)]
    assert emulator.arm("GET", pid).status_code == 404
    assert state_outputs(project) == {}


def test_state_holds_no_client_secret_or_token(make_project: Callable[..., Any], emulator: Any) -> None:
    secret = emulator.env()["AZURE_CLIENT_SECRET"]
    project = make_project(
        peering_program(
            {"local": "vnet-hub", "remote": "vnet-payments"}, {"local": "vnet-payments", "remote": "vnet-hub"}
        ),
        env={"AZURE_CLIENT_SECRET": ""},  # the secret comes from stack config only
    )
    project.config_set("azure-peering:clientSecret", secret, secret=True)
    project.up()
    project.refresh()
    text = project.backend_files_text()
    assert secret not in text
    assert not JWT.search(text)
    assert "Bearer" not in text
    export = project.export()
    providers = [
        r["inputs"].get("__provider") for r in export["deployment"]["resources"] if "__provider" in r.get("inputs", {})
    ]
    assert providers and all(isinstance(p, str) for p in providers)  # plain, inspectable, and secret-free
    project.destroy()


def test_injected_throttling_conflicts_and_server_errors_are_absorbed(
    make_project: Callable[..., Any], emulator: Any
) -> None:
    pairs: list[dict[str, Any]] = [
        {"local": "vnet-hub", "remote": "vnet-payments"},
        {"local": "vnet-payments", "remote": "vnet-hub"},
        {"local": "vnet-hub", "remote": "vnet-analytics", "allow_gateway_transit": True},
        {"local": "vnet-analytics", "remote": "vnet-hub"},
    ]
    project = make_project(peering_program(*pairs))
    emulator.seed(
        {
            "resourceGroups": [
                {
                    "subscriptionId": SUB_SPOKES,
                    "name": "rg-spokes",
                    "location": "westeurope",
                    "virtualNetworks": [{"name": "vnet-extra", "addressPrefixes": ["10.9.0.0/16"]}],
                }
            ]
        }
    )
    # another writer, outside the provider process, keeps the hub busy (its operation would take 10 minutes) until
    # the run has been answered 409 AnotherOperationInProgress; then it finishes, and the run must carry on
    emulator.set_latency(600.0)
    other = {"properties": {"remoteVirtualNetwork": {"id": seeded_vnet("vnet-extra")}}}
    started = emulator.arm("PUT", f"{seeded_vnet('vnet-hub')}/virtualNetworkPeerings/outsider", json=other)
    assert started.status_code in (200, 201), started.text
    emulator.set_latency(0.2)
    emulator.set_faults("seed=11;429=0.2;503=0.1;500=0.05;retry_after=0;match=*:virtualNetworkPeerings")
    seq = emulator.last_request_seq()
    stop = threading.Event()

    def release_outsider_after_a_conflict() -> None:
        deadline = time.monotonic() + 120
        try:
            while not stop.is_set() and time.monotonic() < deadline:
                try:
                    if any(is_conflict(r) for r in emulator.request_log(since=seq)):
                        break
                except Exception:  # an admin hiccup must not keep the hub busy for ever
                    pass
                stop.wait(0.2)
        finally:
            emulator.finish_operations()

    releaser = threading.Thread(target=release_outsider_after_a_conflict, daemon=True)
    releaser.start()
    try:
        project.up()
    finally:
        stop.set()
        releaser.join(30)
    injected = emulator.faults()
    emulator.set_faults("")
    log = emulator.request_log(since=seq)
    statuses = {r["status"] for r in log}
    assert statuses & {429, 500, 503}, (statuses, injected)
    assert any(is_conflict(r) for r in log), statuses
    project.refresh()
    assert {o["peering_state"] for o in state_outputs(project).values()} == {"Connected"}
    project.preview(expect_no_changes=True)
    project.destroy()
