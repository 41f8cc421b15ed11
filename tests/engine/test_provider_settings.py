"""Provider settings through the real CLI against the emulator (docs/provider.md, "Settings"): an identity without
a client secret, through DefaultAzureCredential (here a managed identity, as App Service and Azure Functions serve
it: IDENTITY_ENDPOINT / IDENTITY_HEADER); the cloud setting; an http ARM endpoint on loopback with
allowInsecureLoopback."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from harness.pulumi import PulumiProject, hermetic_env
from pulumi_azure_peering.emulator.testing import EmulatorProcess
from tests.arm_views import arm_writes, live_peering_properties
from tests.emulator_config import DEFAULT_SEED, seeded_vnet
from tests.provider_on_emulator.programs import peering_program

pytestmark = pytest.mark.engine

PAIR = ({"local": "vnet-hub", "remote": "vnet-payments"}, {"local": "vnet-payments", "remote": "vnet-hub"})


@contextmanager
def managed_identity_endpoint(emulator: Any, header: str) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A managed identity endpoint on 127.0.0.1 speaking App Service's protocol (GET ?api-version=2019-08-01&
    resource=...[&client_id=...], header X-IDENTITY-HEADER), which hands out the emulator's tokens for the
    resource asked; yields its URL and the queries it answered."""
    asked: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
            asked.append(query)
            if self.headers.get("X-IDENTITY-HEADER") != header or "resource" not in query:
                self.send_response(400)
                self.end_headers()
                return
            token = emulator.token(scope=query["resource"].rstrip("/") + "/.default")
            body = json.dumps(
                {
                    "access_token": token,
                    "expires_on": str(int(json.loads(_payload(token))["exp"])),
                    "resource": query["resource"],
                    "token_type": "Bearer",
                    "client_id": query.get("client_id", ""),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/msi/token", asked
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _payload(token: str) -> str:
    part = token.split(".")[1]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()


def test_without_a_client_secret_default_azure_credential_uses_a_managed_identity(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """No client secret: the provider builds DefaultAzureCredential (README), which finds the managed identity
    endpoint and asks it for a token for the configured ARM endpoint, with the configured client id (a
    user-assigned identity); the provider asks the authority for nothing. First with AZURE_CLIENT_SECRET set but
    empty, as CI passes a secret that is not defined (the credential used to fail to build, with a traceback: its
    EnvironmentCredential took the empty variable), then with the variable gone."""
    header = secrets.token_hex(16)
    client_id = emulator.env()["AZURE_CLIENT_ID"]
    with managed_identity_endpoint(emulator, header) as (endpoint, asked):
        env = {"AZURE_CLIENT_SECRET": "", "IDENTITY_ENDPOINT": endpoint, "IDENTITY_HEADER": header}
        project = make_project(peering_program(*PAIR), env=env)
        emulator.token(scope=f"{emulator.arm_endpoint}/.default")  # the endpoint's own, fetched beforehand
        seq = emulator.last_request_seq()
        project.preview()
        assert asked, "the preview's reads went without a token from the managed identity"
        del project.env["AZURE_CLIENT_SECRET"]
        project.up()
        log = emulator.request_log(since=seq)
    assert {(q.get("api-version"), q.get("resource"), q.get("client_id")) for q in asked} == {
        ("2019-08-01", emulator.arm_endpoint, client_id)
    }
    assert [r for r in log if not r["path"].lower().startswith("/subscriptions")] == []  # no authority request
    writes = sorted((w["method"], w["path"].rsplit("/", 1)[-1], w["status"]) for w in arm_writes(emulator, seq))
    assert writes == [("PUT", "vnet-hub-to-vnet-payments", 201), ("PUT", "vnet-payments-to-vnet-hub", 201)]
    assert (
        live_peering_properties(emulator, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-payments"]["peeringState"]
        == "Connected"
    )


def test_the_cloud_setting_is_checked_and_the_endpoints_given_win(
    make_project: Callable[..., PulumiProject], emulator: Any
) -> None:
    """``azure-peering:cloud`` (AZURE_PEERING_CLOUD): a cloud the provider does not know fails preview naming the
    ones it knows, before anything is asked of Entra or ARM. A known one with endpoints given (the emulator's
    armEndpoint and authorityHost) talks to those: the token is asked of the given authority for the given ARM
    endpoint, not for the cloud's (the emulator would refuse a token for management.usgovcloudapi.net with 401)."""
    project = make_project(peering_program(*PAIR), env={"AZURE_PEERING_CLOUD": "AzureGermanCloud"})
    seq = emulator.last_request_seq()
    preview = project.preview(check=False)
    assert not preview.ok, preview.output
    known = "unknown cloud 'AzureGermanCloud': set azure-peering:cloud to one of AzureCloud, AzureUSGovernment"
    assert known in preview.output, preview.output
    assert emulator.request_log(since=seq) == []

    project.env["AZURE_PEERING_CLOUD"] = "AzureUSGovernment"
    project.preview()
    log = emulator.request_log(since=seq)
    assert any(r["method"] == "POST" and r["path"].endswith("/oauth2/v2.0/token") for r in log), log
    reads = [r for r in log if r["path"].lower().startswith("/subscriptions")]
    assert reads and {r["status"] for r in reads} == {200}, reads
    assert arm_writes(emulator, seq) == []


def test_an_http_arm_endpoint_on_loopback_is_used_once_allowed(tmp_path: Path) -> None:
    """``azure-peering:allowInsecureLoopback`` (AZURE_PEERING_ALLOW_INSECURE_LOOPBACK): an ``http://`` ARM endpoint
    on 127.0.0.1 is refused at preview without it, with nothing asked of ARM, and used with it: tokens for that
    endpoint, its operations followed (the provider follows none on another origin), the pair written."""
    with EmulatorProcess(data_dir=tmp_path / "emulator", seed=DEFAULT_SEED, latency=0.05, plain_http=True) as emu:
        env = hermetic_env(tmp_path / "state", {**emu.env(), "AZURE_PEERING_ARM_ENDPOINT": emu.plain_http_endpoint})
        project = PulumiProject.from_program(tmp_path / "project", peering_program(*PAIR), env)
        refused = project.preview(check=False)
        assert not refused.ok and "uses plain http" in refused.output, refused.output
        assert "allowInsecureLoopback" in refused.output, refused.output
        assert emu.request_log() == []

        project.env["AZURE_PEERING_ALLOW_INSECURE_LOOPBACK"] = "true"
        project.up(skip_preview=False)
        writes = sorted((w["method"], w["path"].rsplit("/", 1)[-1], w["status"]) for w in arm_writes(emu, 0))
        assert writes == [("PUT", "vnet-hub-to-vnet-payments", 201), ("PUT", "vnet-payments-to-vnet-hub", 201)]
        hub_side = live_peering_properties(emu, seeded_vnet("vnet-hub"))["vnet-hub-to-vnet-payments"]
        assert hub_side["peeringState"] == "Connected"
        project.preview(expect_no_changes=True)
