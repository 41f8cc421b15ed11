"""Each module of the package has one name: ``pulumi_azure_peering.<folder>.<module>``.

``provider/``, ``components/``, ``emulator/`` and ``plugin/`` sit at the top of the repository, which pytest and
``python`` run from the root put on ``sys.path``: imported as ``provider`` they would be a second copy of the package
(two caches, two locks, two classes for one name). Their ``__init__`` refuses that name, so the only way in is the
package's.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.package_layout import MAPPED_FOLDERS

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
#: The top-level folders that setup.py maps into the package.
MAPPED = MAPPED_FOLDERS


def import_every_module() -> list[str]:
    """Import the package and every module under it (not the ``__main__`` entry points, which run a command)."""
    names = ["pulumi_azure_peering", "pulumi_azure_peering.sdk_workarounds"]
    for folder in MAPPED:
        package = importlib.import_module(f"pulumi_azure_peering.{folder}")
        names.append(package.__name__)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]
    names = [name for name in names if not name.endswith(".__main__")]
    for name in names:
        importlib.import_module(name)
    return names


def is_ours(file: Path) -> bool:
    """A file of this repository's code (product, tests, harness), not of its venvs or tools."""
    return file.is_relative_to(REPO) and not file.relative_to(REPO).parts[0].startswith(".")


def test_every_module_of_this_repository_is_loaded_under_one_name() -> None:
    imported = import_every_module()
    assert "pulumi_azure_peering.provider.resource" in imported
    assert "pulumi_azure_peering.emulator.handlers.peerings" in imported

    names_by_file: dict[Path, list[str]] = {}
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file is not None and is_ours(Path(file).resolve()):
            names_by_file.setdefault(Path(file).resolve(), []).append(name)
    assert {file: names for file, names in names_by_file.items() if len(names) > 1} == {}

    product = {
        file.relative_to(REPO).parts[0]: names
        for file, names in names_by_file.items()
        if file.relative_to(REPO).parts[0] in (*MAPPED, "pulumi_azure_peering")
    }
    assert set(product) == {*MAPPED, "pulumi_azure_peering"}
    assert not [n for names in product.values() for n in names if not n.startswith("pulumi_azure_peering")]
    assert not [name for name in sys.modules if name.partition(".")[0] in MAPPED]


def test_the_folders_refuse_their_own_names_even_from_the_repository_root() -> None:
    """``python -c`` from the root has the root first on ``sys.path``, where each folder looks like a package."""
    probe = (
        "import importlib\n"
        f"for name in {MAPPED!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as error:\n"
        "        print(name, 'refused:', error)\n"
        "    else:\n"
        "        print(name, 'imported')\n"
        "import pulumi_azure_peering.provider.resource as resource\n"
        "print('package:', resource.__file__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        *(
            f"{name} refused: {name!r} is pulumi_azure_peering.{name}: import it by that name, never as a second copy"
            for name in MAPPED
        ),
        f"package: {REPO / 'provider' / 'resource.py'}",
    ]


def test_imports_are_relative_within_a_folder_and_by_package_name_across() -> None:
    """The one import style: ``from .errors import ...`` inside ``provider/``, ``from pulumi_azure_peering.provider
    import ...`` from any other folder, so that every edge between two folders is spelled out and greppable."""
    wrong = []
    for folder in MAPPED:
        for path in sorted((REPO / folder).rglob("*.py")):
            depth = len(path.relative_to(REPO / folder).parts) - 1  # 0 for a module directly in the folder
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level > depth + 1:
                    wrong.append(f"{path.relative_to(REPO)}:{node.lineno} leaves {folder}/ relatively")
                    continue
                else:
                    continue
                for name in names:
                    if name.partition(".")[0] in MAPPED:
                        wrong.append(f"{path.relative_to(REPO)}:{node.lineno} imports {name} by its folder name")
                    elif name == f"pulumi_azure_peering.{folder}" or name.startswith(f"pulumi_azure_peering.{folder}."):
                        wrong.append(f"{path.relative_to(REPO)}:{node.lineno} imports its own folder absolutely")
    assert wrong == []
