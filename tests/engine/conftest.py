"""Engine-suite fixtures: an S3-compatible state bucket served locally by moto's server mode."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

BUCKET = "pulumi-state"
#: moto accepts any credentials; these are not secrets.
AWS_KEY = "moto-local"


def s3_client(backend_url: str) -> Any:
    import boto3

    endpoint = parse_qs(urlsplit(backend_url).query)["endpoint"][0]
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=AWS_KEY,
        aws_secret_access_key=AWS_KEY,
        region_name="us-east-1",
    )


@pytest.fixture(scope="session")
def s3_backend() -> Iterator[str]:
    """`s3://` backend URL of a fresh bucket on a moto server listening on 127.0.0.1."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"s3://{BUCKET}?endpoint=http://{host}:{port}&use_path_style=true&region=us-east-1"
        s3_client(url).create_bucket(Bucket=BUCKET)
        yield url
    finally:
        server.stop()
