"""connection.json (written atomically, mode 0600) and the shell exports that point clients at the emulator."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any

CONNECTION_FILE = "connection.json"


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
    bundle = connection.get("ca_bundle_with_public_roots") or connection["ca_bundle"]
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


def format_exports(env: dict[str, str], style: str = "sh") -> str:
    if style == "json":
        return json.dumps(env, indent=2)
    if style == "dotenv":
        return "".join(f"{k}={v}\n" for k, v in env.items())
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())
