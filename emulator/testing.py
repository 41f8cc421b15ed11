"""Run the emulator as a subprocess from tests and benchmarks.

Typical use::

    with EmulatorProcess(seed=DEFAULT_SEED, latency=0.05) as emu:
        env = emu.env()                      # AZURE_* / REQUESTS_CA_BUNDLE / AZURE_PEERING_* exports
        r = emu.arm("GET", "/subscriptions/{sub}/resourceGroups/rg-hub?api-version=2021-04-01")
        emu.set_faults("seed=1;429=0.2")
        emu.request_log(since=0)

The API of this module is a contract other suites build on: keep it stable.
Sessions created here ignore proxy/CA environment variables (``trust_env=False``) and trust the emulator's CA
explicitly, because a ``REQUESTS_CA_BUNDLE`` in the environment would otherwise override ``Session.verify``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from .connection import CONNECTION_FILE, env_vars
from .models.features import SUBNET_PEERING_FEATURE

ARM_SCOPE = "https://management.azure.com/.default"
API_VERSION = "2025-05-01"
_REPO_ROOT = Path(__file__).resolve().parent.parent


class EmulatorError(RuntimeError):
    """The emulator could not be started, or an admin call failed."""


class AdminError(EmulatorError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"admin call failed with {status}: {body}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class TenantCredentials:
    """One (tenant, app registration) pair from connection.json."""

    tenant_id: str
    client_id: str
    client_secret: str
    subscriptions: tuple[str, ...]
    display_name: str = ""


@dataclass(frozen=True)
class Connection:
    """Parsed connection.json. ``tenants[0]`` is the primary tenant."""

    arm_endpoint: str
    authority_host: str
    ca_bundle: str
    admin_key: str
    tenants: tuple[TenantCredentials, ...]
    raw: Mapping[str, Any]

    @classmethod
    def from_document(cls, doc: Mapping[str, Any]) -> Connection:
        tenants = tuple(
            TenantCredentials(
                tenant_id=t["tenant_id"],
                client_id=t["client_id"],
                client_secret=t["client_secret"],
                subscriptions=tuple(t.get("subscriptions", ())),
                display_name=t.get("display_name", ""),
            )
            for t in doc["tenants"]
        )
        return cls(doc["arm_endpoint"], doc["authority_host"], doc["ca_bundle"], doc["admin_key"], tenants, doc)

    @property
    def primary(self) -> TenantCredentials:
        return self.tenants[0]

    def tenant(self, tenant_id: str | None = None) -> TenantCredentials:
        """The credentials of a tenant (the primary one when ``tenant_id`` is None)."""
        if tenant_id is None:
            return self.primary
        for t in self.tenants:
            if t.tenant_id.lower() == tenant_id.lower():
                return t
        raise KeyError(f"tenant {tenant_id} is not in the connection file")


class EmulatorProcess:
    """``azure-peering-emulator serve`` in a subprocess on a loopback port, with helpers to drive it.

    Args:
        data_dir: state directory; a temporary one (removed on ``stop``) when None.
        seed: seed topology (a shipped seed's name such as ``"demo"``, a path, or a dict) applied when the data dir
            is new (or with ``reset=True``).
        latency: seconds each write operation takes.
        faults: fault spec (see docs/emulator.md).
        port: port to listen on; 0 picks a free one (``restart`` then tries to keep it).
        reset: start from the seed again even if ``data_dir`` has state.
        token_lifetime, page_size, gateway_provisioning_seconds: forwarded to ``serve`` when given.
        latency_profile: ``"azure"`` or ``"azure:SCALE"``: real Azure durations times SCALE instead of ``latency``
            (``--latency-profile``).
        sparse_bodies: omit every optional body property real Azure may leave out (``--sparse-bodies``); None
            leaves it to the environment variable ``AZURE_PEERING_EMULATOR_SPARSE`` (``1`` turns it on).
        late_refusals: peering refusal codes answered as a Failed long-running operation instead of a 400
            (``--late-refusals``).
        plain_http: also serve ARM without TLS on another loopback port (``--plain-http``):
            :attr:`plain_http_endpoint`.
        startup_timeout: seconds to wait for connection.json.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        seed: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        latency: float = 0.0,
        faults: str | None = None,
        port: int = 0,
        reset: bool = False,
        token_lifetime: float | None = None,
        page_size: int | None = None,
        gateway_provisioning_seconds: float | None = None,
        latency_profile: str | None = None,
        sparse_bodies: bool | None = None,
        late_refusals: tuple[str, ...] | list[str] | None = None,
        plain_http: bool = False,
        startup_timeout: float = 30.0,
    ) -> None:
        self._owns_dir = data_dir is None
        self.data_dir = Path(data_dir) if data_dir is not None else Path(tempfile.mkdtemp(prefix="arm-emulator-"))
        self._seed = seed
        self._latency = latency
        self._faults = faults or ""
        self.port = port
        self._reset_on_start = reset
        self._extra: list[str] = []
        if token_lifetime is not None:
            self._extra += ["--token-lifetime", str(token_lifetime)]
        if page_size is not None:
            self._extra += ["--page-size", str(page_size)]
        if gateway_provisioning_seconds is not None:
            self._extra += ["--gateway-provisioning-seconds", str(gateway_provisioning_seconds)]
        if latency_profile:
            self._extra += ["--latency-profile", latency_profile]
        if sparse_bodies is not None:
            self._extra.append("--sparse-bodies" if sparse_bodies else "--no-sparse-bodies")
        if late_refusals:
            self._extra += ["--late-refusals", ",".join(late_refusals)]
        if plain_http:
            self._extra.append("--plain-http")
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._connection: Connection | None = None
        self._http: requests.Session | None = None
        self._tokens: dict[tuple[str, str], tuple[str, float]] = {}
        self.log_path = self.data_dir / "emulator.log"

    # --- lifecycle ---------------------------------------------------------------------------------------------

    def _seed_path(self) -> Path | None:
        if self._seed is None:
            return None
        if isinstance(self._seed, Mapping):
            path = self.data_dir / "seed.json"
            path.write_text(json.dumps(self._seed))
            return path
        return Path(self._seed)

    def start(self) -> EmulatorProcess:
        """Start the server and wait until it accepts requests (connection.json written by this process)."""
        if self._proc is not None:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._spawn(self.port)
        except EmulatorError:
            if self.port == 0:
                raise
            self._spawn(0)  # the previous port is taken: any port will do
        return self

    def _spawn(self, port: int) -> None:
        cmd = [
            sys.executable,
            "-m",
            "pulumi_azure_peering.emulator",
            "serve",
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(port),
        ]
        cmd += ["--latency", str(self._latency)]
        if self._faults:
            cmd += ["--faults", self._faults]
        seed = self._seed_path()
        if seed is not None:
            cmd += ["--seed", str(seed)]
        if self._reset_on_start:
            cmd.append("--reset")
        cmd += self._extra
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH", "")) if p)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self._proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=str(_REPO_ROOT), env=env)
        finally:
            log.close()
        deadline = time.monotonic() + self.startup_timeout
        path = self.data_dir / CONNECTION_FILE
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                self._proc = None
                raise EmulatorError(f"emulator exited during start-up:\n{self._log_tail()}")
            with contextlib.suppress(OSError, ValueError, KeyError):
                doc = json.loads(path.read_text())
                if doc.get("pid") == self._proc.pid:
                    self._connection = Connection.from_document(doc)
                    self.port = int(doc["arm_endpoint"].rsplit(":", 1)[1])
                    self._http = self._new_session()
                    self._reset_on_start = False  # a restart keeps the state
                    return
            time.sleep(0.05)
        self.stop()
        raise EmulatorError(f"emulator did not start within {self.startup_timeout}s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")[-4000:]
        return ""

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s). The data dir is kept unless it was a temporary one."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if self._http is not None:
            self._http.close()
            self._http = None
        self._tokens.clear()

    def restart(self) -> EmulatorProcess:
        """Stop and start again on the same data dir (and the same port when it is still free)."""
        self.stop()
        return self.start()

    def close(self) -> None:
        """Stop, and remove the data dir when it was created here."""
        self.stop()
        if self._owns_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return None if self._proc is None else self._proc.pid

    # --- connection --------------------------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise EmulatorError("the emulator is not running")
        return self._connection

    @property
    def arm_endpoint(self) -> str:
        return self.connection.arm_endpoint

    @property
    def plain_http_endpoint(self) -> str:
        """ARM without TLS (``plain_http=True`` only)."""
        endpoint = self.connection.raw.get("plain_http_endpoint")
        if not endpoint:
            raise EmulatorError("the emulator was started without plain_http")
        return str(endpoint)

    @property
    def authority_host(self) -> str:
        return self.connection.authority_host

    @property
    def ca_bundle(self) -> str:
        return self.connection.ca_bundle

    @property
    def admin_key(self) -> str:
        return self.connection.admin_key

    @property
    def primary(self) -> TenantCredentials:
        return self.connection.primary

    def env(self, tenant_id: str | None = None) -> dict[str, str]:
        """The same exports as ``azure-peering-emulator env`` (for the primary tenant unless ``tenant_id`` is given)."""
        return env_vars(dict(self.connection.raw), tenant_id)

    # --- admin -------------------------------------------------------------------------------------------------

    def _new_session(self) -> requests.Session:
        s = requests.Session()
        s.trust_env = False
        s.verify = self.ca_bundle
        return s

    def admin(self, method: str, path: str, json: Any = None, params: Mapping[str, Any] | None = None) -> Any:
        """Call an admin route (``path`` relative to ``/_emulator/``); returns the JSON body or raises AdminError."""
        assert self._http is not None, "the emulator is not running"
        url = f"{self.arm_endpoint}/_emulator/{path.lstrip('/')}"
        r = self._http.request(
            method, url, json=json, params=params, headers={"x-emulator-admin": self.admin_key}, timeout=60
        )
        body = r.json() if r.content else None
        if r.status_code >= 400:
            raise AdminError(r.status_code, body)
        return body

    def request_log(self, since: int | None = None) -> list[dict[str, Any]]:
        """Logged requests (method, path, query, status, latency_ms, code, fault, time, seq) with seq > since."""
        entries: list[dict[str, Any]] = self.admin("GET", "requests", params={"since": since or 0})["requests"]
        return entries

    def last_request_seq(self) -> int:
        """The sequence number of the last logged request: pass it as ``since`` to count what follows."""
        return int(self.admin("GET", "requests", params={"since": 2**62})["last_seq"])

    def set_faults(self, spec: str) -> dict[str, Any]:
        """Replace the fault spec ('' turns faults off)."""
        result: dict[str, Any] = self.admin("POST", "faults", {"spec": spec})
        return result

    def faults(self) -> dict[str, Any]:
        """The current spec and how many faults of each kind were injected."""
        result: dict[str, Any] = self.admin("GET", "faults")
        return result

    def set_latency(self, seconds: float) -> None:
        """Seconds each write operation takes from now on (this turns a latency profile off)."""
        self.admin("POST", "latency", {"seconds": seconds})

    def set_latency_profile(self, spec: str | None) -> dict[str, Any]:
        """``"azure"`` / ``"azure:SCALE"``: real Azure durations times SCALE from now on; None: back to ``latency``."""
        return self.settings(latency_profile=spec)

    def set_sparse_bodies(self, enabled: bool = True) -> dict[str, Any]:
        """Omit (or stop omitting) every optional body property real Azure may leave out, at any api-version."""
        return self.settings(sparse_bodies=enabled)

    def set_late_refusals(self, *codes: str) -> dict[str, Any]:
        """Answer these peering refusals (e.g. ``VnetAddressSpaceOverlapsWithAlreadyPeeredVnet``) as a long-running
        operation that ends Failed instead of a 400; no codes: all synchronous again."""
        return self.settings(late_refusals=list(codes))

    def set_feature(
        self, subscription_id: str, state: str = "Registered", feature: str = SUBNET_PEERING_FEATURE
    ) -> dict[str, Any]:
        """Set a subscription's registration state of a feature (subnet peering's by default); returns it as the
        Features API shows it. ``reset()`` returns every subscription to the default (Registered)."""
        result: dict[str, Any] = self.admin(
            "POST", "features", {"subscriptionId": subscription_id, "feature": feature, "state": state}
        )
        return result

    def settings(self, **values: Any) -> dict[str, Any]:
        """Read or change settings: latency, latency_profile (``"azure[:SCALE]"`` or None), sparse_bodies (bool),
        late_refusals (list of codes), gateway_provisioning_seconds, page_size, token_lifetime."""
        result: dict[str, Any] = self.admin("POST" if values else "GET", "settings", values or None)
        return result

    def reset(self) -> None:
        """Remove every resource and operation (identities stay); settings and faults back to start-up values."""
        self.admin("POST", "reset")

    def seed(self, topology: Mapping[str, Any]) -> dict[str, int]:
        """Apply a seed topology (upsert). New identities appear in :attr:`connection` afterwards."""
        result: dict[str, int] = self.admin("POST", "seed", dict(topology))["applied"]
        self._connection = Connection.from_document(self.admin("GET", "connection"))
        return result

    def expire_tokens(self) -> None:
        """Make every token issued so far answer 401 ExpiredAuthenticationToken (and forget cached ones here)."""
        self.admin("POST", "expire-tokens")
        self._tokens.clear()

    def finish_operations(self, outcome: str = "Succeeded") -> int:
        """Complete every in-flight operation now (hung ones included); ``outcome='Failed'`` fails them."""
        return int(self.admin("POST", "operations/finish", {"outcome": outcome})["finished"])

    def state(self) -> dict[str, Any]:
        """Dump of resources, pending operations, settings and faults (no secrets)."""
        result: dict[str, Any] = self.admin("GET", "state")
        return result

    # --- ARM clients -------------------------------------------------------------------------------------------

    def token(self, tenant_id: str | None = None, scope: str = ARM_SCOPE) -> str:
        """An access token from the emulator's token endpoint (client credentials), cached until near expiry."""
        creds = self.connection.tenant(tenant_id)
        cache_key = (creds.tenant_id, scope)
        cached = self._tokens.get(cache_key)
        if cached is not None and cached[1] > time.time() + 30:
            return cached[0]
        assert self._http is not None
        r = self._http.post(
            f"{self.authority_host}/{creds.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
                "scope": scope,
            },
            timeout=30,
        )
        if r.status_code != 200:
            raise EmulatorError(f"token request failed: {r.status_code} {r.text}")
        body = r.json()
        self._tokens[cache_key] = (body["access_token"], time.time() + float(body["expires_in"]))
        return str(body["access_token"])

    def credential(self, tenant_id: str | None = None) -> Any:
        """An azure-identity ClientSecretCredential for a tenant, pointed at the emulator's authority."""
        from azure.identity import ClientSecretCredential

        creds = self.connection.tenant(tenant_id)
        return ClientSecretCredential(
            creds.tenant_id,
            creds.client_id,
            creds.client_secret,
            authority=self.authority_host,
            disable_instance_discovery=True,
            connection_verify=self.ca_bundle,
        )

    def session(self, tenant_id: str | None = None) -> requests.Session:
        """A requests session trusting the emulator CA, with a bearer token of the tenant."""
        s = self._new_session()
        s.headers["Authorization"] = f"Bearer {self.token(tenant_id)}"
        return s

    def url(self, path: str) -> str:
        return path if path.startswith("https://") else f"{self.arm_endpoint}{path}"

    def arm(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        tenant_id: str | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        api_version: str | None = API_VERSION,
    ) -> requests.Response:
        """One ARM request with the tenant's token; ``api-version`` is added unless the path has one."""
        assert self._http is not None
        query = dict(params or {})
        if api_version and "api-version=" not in path:
            query["api-version"] = api_version
        all_headers = {"Authorization": f"Bearer {self.token(tenant_id)}", **(headers or {})}
        return self._http.request(method, self.url(path), json=json, params=query, headers=all_headers, timeout=60)

    def wait(
        self, response: requests.Response, *, timeout: float = 30.0, tenant_id: str | None = None
    ) -> dict[str, Any]:
        """Poll a write's Azure-AsyncOperation until it is terminal; returns the final status body.

        Polls as fast as ``x-ms-retry-after-ms`` allows (the emulator does not mind clients polling early).
        """
        url = response.headers.get("Azure-AsyncOperation")
        if not url:
            return {"status": "Succeeded" if response.status_code < 300 else "Failed"}
        deadline = time.monotonic() + timeout
        while True:
            r = self.arm("GET", url, tenant_id=tenant_id, api_version=None)
            body: dict[str, Any] = r.json()
            if r.status_code == 200 and body.get("status") not in ("InProgress", None):
                return body
            if time.monotonic() > deadline:
                raise EmulatorError(f"operation {url} did not finish within {timeout}s")
            delay_ms = float(r.headers.get("x-ms-retry-after-ms", "50"))
            time.sleep(min(max(delay_ms / 1000.0, 0.01), 1.0))
