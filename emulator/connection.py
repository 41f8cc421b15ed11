"""connection.json (written atomically, mode 0600), whether its emulator still runs, and the shell exports that point
clients at the emulator (and the lines that take them back)."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import tempfile
import time
from pathlib import Path
from typing import Any

CONNECTION_FILE = "connection.json"
#: Every variable ``env`` may export (``AZURE_SUBSCRIPTION_ID`` only when the tenant has a subscription): what
#: ``env --unset`` takes back.
EXPORTED = (
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_AUTHORITY_HOST",
    "AZURE_PEERING_AUTHORITY_HOST",
    "AZURE_PEERING_ARM_ENDPOINT",
    "AZURE_PEERING_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "AZURE_SUBSCRIPTION_ID",
)
#: How long a liveness check waits for the emulator's answer.
HEALTH_TIMEOUT = 3.0
#: Written by ``serve`` while it runs: its pid (see :func:`mark_starting`).
STARTING_FILE = "serve.pid"
#: How long ``env`` and the commands wait for an emulator that is still starting.
STARTUP_WAIT = 30.0
#: How long they wait for a ``serve`` that has not written its ``serve.pid`` yet.
STARTUP_GRACE = 1.0


class NotRunning(Exception):
    """No emulator answers for a data directory; the message says why and how to start one."""


def start_hint(data_dir: Path) -> str:
    return f"start one: `azure-peering-emulator serve --data-dir {data_dir} --seed demo &`"


def mark_starting(data_dir: Path) -> Path:
    """``serve.pid``: written by ``serve`` as it starts (before the CA, keys and seed, which take a moment), removed
    when it stops. ``env`` and the commands run right after ``serve ... &`` wait for such an emulator."""
    path = Path(data_dir) / STARTING_FILE
    path.write_text(f"{os.getpid()}\n")
    return path


def _starting(data_dir: Path) -> bool:
    """Whether a ``serve`` of ``data_dir`` is alive (its ``serve.pid`` names a running process)."""
    try:
        pid = int((Path(data_dir) / STARTING_FILE).read_text().strip())
        os.kill(pid, 0)
    except PermissionError:
        return True  # alive, another user's
    except (OSError, ValueError):
        return False
    return True


def running_connection(data_dir: Path, *, wait: float = STARTUP_WAIT) -> dict[str, Any]:
    """The connection document of the emulator serving ``data_dir``, after checking that it answers.

    A stopped emulator leaves its connection.json behind, with an endpoint nothing listens on any more (or that
    another emulator has taken since): the health route must answer, over TLS signed by this data dir's CA, and name
    this data dir. While a ``serve`` of the data dir is still starting (``serve --seed demo &`` and ``env`` on the
    next line), waits up to ``wait`` seconds for it. Raises :class:`NotRunning` with the fix otherwise.
    """
    start = time.monotonic()
    while True:
        try:
            return _answering_connection(data_dir)
        except NotRunning:
            elapsed = time.monotonic() - start
            # a serve started on the line before may not have written serve.pid yet: a moment's grace
            if elapsed >= wait or (elapsed >= STARTUP_GRACE and not _starting(data_dir)):
                raise
            time.sleep(0.1)


def _answering_connection(data_dir: Path) -> dict[str, Any]:
    import requests

    try:
        connection = read_connection(data_dir)
    except FileNotFoundError:
        raise NotRunning(
            f"no emulator has run with data dir {data_dir} (no {CONNECTION_FILE}): {start_hint(data_dir)}"
        ) from None
    except (OSError, ValueError) as exc:
        raise NotRunning(f"cannot read {Path(data_dir) / CONNECTION_FILE} ({exc}): {start_hint(data_dir)}") from None
    endpoint = str(connection.get("arm_endpoint", ""))
    restart = (
        f"start it again: `azure-peering-emulator serve --data-dir {data_dir} &` (it keeps its state and, when free, "
        f'its port), then `eval "$(azure-peering-emulator env --data-dir {data_dir})"` again'
    )
    session = requests.Session()
    session.trust_env = False  # loopback: no proxy; the emulator's own CA, whatever the shell trusts
    try:
        answer = session.get(
            f"{endpoint}/_emulator/health", verify=str(connection.get("ca_bundle", "")) or True, timeout=HEALTH_TIMEOUT
        )
        health = answer.json() if answer.status_code == 200 else {}
    except (requests.RequestException, ValueError, OSError) as exc:
        if isinstance(exc, requests.exceptions.SSLError):
            reason = "what answers there is not signed by this data dir's CA"
        elif isinstance(exc, requests.ConnectionError):
            reason = "nothing answers there"
        else:
            reason = type(exc).__name__
        raise NotRunning(
            f"the emulator of {data_dir} (pid {connection.get('pid', '?')}, {endpoint}) is not running "
            f"({reason}; its {CONNECTION_FILE} is left from an earlier run): {restart}"
        ) from None
    finally:
        session.close()
    served = health.get("data_dir")
    if health.get("status") != "ok" or (served is not None and Path(served) != Path(str(connection.get("data_dir")))):
        raise NotRunning(
            f"the emulator of {data_dir} is not running: {endpoint} is answered by "
            f"{'another emulator (' + str(served) + ')' if served else 'something else'}: {restart}"
        )
    return connection


def write_connection(data_dir: Path, document: dict[str, Any]) -> Path:
    """Write connection.json via a temporary file and rename, so readers never see half a file."""
    target = data_dir / CONNECTION_FILE
    fd, tmp = tempfile.mkstemp(prefix=".connection-", suffix=".json", dir=str(data_dir))
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(document, fh, indent=2)
            fh.write("\n")
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def read_connection(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((Path(data_dir) / CONNECTION_FILE).read_text())
    return data


def env_vars(connection: dict[str, Any], tenant_id: str | None = None) -> dict[str, str]:
    """The environment that points azure-identity, requests and the provider at the emulator."""
    tenants = connection["tenants"]
    chosen = tenants[0]
    if tenant_id is not None:
        matches = [t for t in tenants if t["tenant_id"].lower() == tenant_id.lower()]
        if not matches:
            raise KeyError(f"tenant {tenant_id} is not in the connection file")
        chosen = matches[0]
    bundle = connection.get("ca_bundle_with_system_roots") or connection["ca_bundle"]
    env = {
        "AZURE_TENANT_ID": chosen["tenant_id"],
        "AZURE_CLIENT_ID": chosen["client_id"],
        "AZURE_CLIENT_SECRET": chosen["client_secret"],
        "AZURE_AUTHORITY_HOST": connection["authority_host"],
        "AZURE_PEERING_AUTHORITY_HOST": connection["authority_host"],
        "AZURE_PEERING_ARM_ENDPOINT": connection["arm_endpoint"],
        "AZURE_PEERING_CA_BUNDLE": connection["ca_bundle"],
        "REQUESTS_CA_BUNDLE": bundle,
        "SSL_CERT_FILE": bundle,
    }
    if chosen.get("subscriptions"):
        env["AZURE_SUBSCRIPTION_ID"] = chosen["subscriptions"][0]
    return env


def format_unset(style: str = "sh") -> str:
    """The lines that take back every variable ``env`` exports (``unset`` for a shell)."""
    if style == "json":
        return json.dumps(list(EXPORTED), indent=2) + "\n"
    if style == "dotenv":
        return "".join(f"{k}=\n" for k in EXPORTED)
    return "".join(f"unset {k}\n" for k in EXPORTED)


def format_exports(env: dict[str, str], style: str = "sh") -> str:
    if style == "json":
        return json.dumps(env, indent=2)
    if style == "dotenv":
        return "".join(f"{k}={v}\n" for k, v in env.items())
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
