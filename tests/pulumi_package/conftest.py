"""Package-suite fixtures: the TypeScript toolchain (node_modules and the generated SDK), made once a session."""

from __future__ import annotations

import pytest

from tests.pulumi_package.frontends import NodeModules


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> NodeModules:
    return NodeModules(tmp_path_factory.mktemp("typescript"))
