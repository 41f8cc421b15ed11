"""A Pulumi state backend in S3, served locally: moto's server mode on 127.0.0.1.

The split-ownership example keeps each team's state in one S3 bucket; its engine test and the concurrent-stacks
benchmark run the real ``pulumi`` CLI against such a bucket. moto serves the S3 API the engine's ``s3://``
backend speaks (it mocks AWS only; ARM is the emulator's).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: moto accepts any credentials; these are not secrets.
LOCAL_KEY = "moto-local"
REGION = "us-east-1"


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on 127.0.0.1 for the duration of the block; yields its endpoint (``http://host:port``).
    moto keeps its buckets per process, not per server: give each use a bucket of its own."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per S3 request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def s3_client(endpoint: str) -> Any:
    """A boto3 S3 client for the server at ``endpoint``."""
    import boto3

    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id=LOCAL_KEY, aws_secret_access_key=LOCAL_KEY, region_name=REGION
    )


def create_backend(endpoint: str, bucket: str) -> str:
    """A new bucket on the server at ``endpoint``, as a Pulumi ``s3://`` backend URL."""
    s3_client(endpoint).create_bucket(Bucket=bucket)
    return f"s3://{bucket}?endpoint={endpoint}&use_path_style=true&region={REGION}"


def backend_env(backend_url: str) -> dict[str, str]:
    """The environment a ``pulumi`` CLI needs to keep its state at ``backend_url``."""
    return {
        "PULUMI_BACKEND_URL": backend_url,
        "AWS_ACCESS_KEY_ID": LOCAL_KEY,
        "AWS_SECRET_ACCESS_KEY": LOCAL_KEY,
        "AWS_REGION": REGION,
    }


def backend_keys(backend_url: str) -> list[str]:
    """Every object key in the backend's bucket."""
    bucket = backend_url.removeprefix("s3://").split("?", 1)[0]
    endpoint = parse_qs(urlsplit(backend_url).query)["endpoint"][0]
    contents = s3_client(endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])
    return [str(o["Key"]) for o in contents]


__all__ = ["LOCAL_KEY", "backend_env", "backend_keys", "create_backend", "moto_server", "s3_client"]
