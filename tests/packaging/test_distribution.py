"""The distribution itself: `python -m build` makes an sdist and a wheel built from it, both carry every module of
the top-level folders mapped into pulumi_azure_peering (setup.py's SUBPACKAGE_FOLDERS), nothing lands at
the top of site-packages but the package, the metadata passes `twine check`, and there is one version."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser

import pytest

from harness.pulumi import REPO
from tests.package_layout import MAPPED_FOLDERS
from tests.packaging.helpers import Dist, run

pytestmark = pytest.mark.packaging

#: The top-level folders that install as ``pulumi_azure_peering.<folder>`` (setup.py's ``package_dir``).
MAPPED = MAPPED_FOLDERS


def tracked_source_files() -> set[str]:
    """The files the distribution must carry, where git has them: pulumi_azure_peering/ and the mapped folders."""
    out = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "pulumi_azure_peering", *MAPPED],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.splitlines())


def installed_path(source: str) -> str:
    """Where a file of the checkout lands in the wheel: the mapped folders under pulumi_azure_peering/."""
    return f"pulumi_azure_peering/{source}" if source.split("/", 1)[0] in MAPPED else source


def test_the_checkout_holds_no_links() -> None:
    """A checkout without symlink support (Windows' default) gets the same tree: git tracks no links."""
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-s"], capture_output=True, text=True, check=True)
    links = [line.split("\t", 1)[1] for line in out.stdout.splitlines() if line.startswith("120000 ")]
    assert links == []


def test_build_makes_an_sdist_and_a_wheel_from_it_without_setuptools_warnings(dist: Dist) -> None:
    assert dist.sdist.name == "pulumi_azure_peering-0.2.0.tar.gz"
    assert dist.wheel.name == "pulumi_azure_peering-0.2.0-py3-none-any.whl"
    assert re.search(r"Building wheel from sdist", dist.log), dist.log[-2000:]
    assert "SetuptoolsDeprecationWarning" not in dist.log and "is deprecated" not in dist.log, dist.log


def test_sdist_and_wheel_carry_every_module(dist: Dist) -> None:
    sources = tracked_source_files()
    expected = {installed_path(source) for source in sources}
    assert "pulumi_azure_peering/provider/resource.py" in expected
    assert "pulumi_azure_peering/emulator/seeds/default.json" in expected

    with zipfile.ZipFile(dist.wheel) as whl:
        wheel_files = {n for n in whl.namelist() if not n.endswith("/")}
    in_wheel = {n for n in wheel_files if n.startswith("pulumi_azure_peering/")}
    assert in_wheel == expected

    # Nothing else at the top of site-packages: no `provider`, `components` or `emulator` of ours.
    tops = {n.split("/", 1)[0] for n in wheel_files}
    assert tops == {"pulumi_azure_peering", "pulumi_azure_peering-0.2.0.dist-info"}

    with tarfile.open(dist.sdist) as sdist:
        members = sdist.getmembers()
    assert not [m.name for m in members if m.issym() or m.islnk()], "the sdist must carry files, not links"
    in_sdist = {m.name.split("/", 1)[1] for m in members if m.isfile()}
    assert sources <= in_sdist  # the sdist is the checkout's layout: setup.py maps it again when it builds
    assert {"pyproject.toml", "setup.py", "README.md", "LICENSE", "PKG-INFO"} <= in_sdist


def test_metadata_passes_twine_check_and_has_one_version(dist: Dist) -> None:
    run(sys.executable, "-m", "twine", "check", "--strict", dist.sdist, dist.wheel)

    import pulumi_azure_peering

    with zipfile.ZipFile(dist.wheel) as whl:
        metadata = Parser().parsestr(whl.read("pulumi_azure_peering-0.2.0.dist-info/METADATA").decode())
    assert metadata["Version"] == pulumi_azure_peering.__version__
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.11"
    requires = metadata.get_all("Requires-Dist") or []
    runtime = [r for r in requires if "extra ==" not in r]
    assert not [r for r in runtime if "==" in r], f"runtime requirements must be ranges: {runtime}"
    assert any(r.startswith("pulumi<4,>=") for r in runtime), runtime
    assert not [r for r in runtime if r.split("<")[0].split(">")[0].lower() in ("trustme", "cryptography", "pyjwt")]
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## {pulumi_azure_peering.__version__}" in changelog
