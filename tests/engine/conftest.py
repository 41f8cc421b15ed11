"""Engine-suite fixtures: an S3-compatible state bucket served locally by moto's server mode."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.s3 import create_backend, moto_server


@pytest.fixture(scope="session")
def s3_backend() -> Iterator[str]:
    """`s3://` backend URL of a fresh bucket on a moto server listening on 127.0.0.1."""
    with moto_server() as endpoint:
        yield create_backend(endpoint, "pulumi-state")
