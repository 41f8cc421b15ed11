"""What tests share lives in helper modules: no module of the suite imports a test module or a conftest.

A test module imported by another runs its fixtures' imports twice over and couples two tests' files; a conftest
is pytest's to load, and importing it by name can load it a second time.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.suites import SUITES, suite_marker_problems

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_no_test_module_or_conftest_is_imported() -> None:
    offenders = {
        f"{path.relative_to(TESTS)}: {module}"
        for path in TESTS.rglob("*.py")
        for module in imported_modules(path)
        if module.startswith("tests.") and module.rpartition(".")[2].startswith(("test_", "conftest"))
    }
    assert offenders == set()


def test_a_test_without_exactly_its_folders_suite_marker_is_named() -> None:
    unit = TESTS / "unit" / "test_x.py"
    problems = suite_marker_problems(
        [
            ("ok", unit, ["unit", "parametrize"]),
            ("none", unit, ["parametrize"]),
            ("two", unit, ["unit", "reliability"]),
            ("elsewhere", TESTS / "engine" / "test_x.py", ["reliability"]),
            ("outside", TESTS / "test_x.py", ["unit"]),
        ]
    )
    assert [line.split(":")[0] for line in problems] == ["none", "two", "elsewhere", "outside"]
    assert "no suite marker" in problems[0] and "2 suite markers" in problems[1]
    assert "marked reliability in tests/engine/, whose suite is engine" in problems[2]


def test_every_suite_is_a_declared_marker() -> None:
    with (TESTS.parent / "pyproject.toml").open("rb") as f:
        declared = {line.split(":")[0] for line in tomllib.load(f)["tool"]["pytest"]["ini_options"]["markers"]}
    assert declared >= SUITES


def git_subcommands(path: Path) -> set[str]:
    """The git subcommands a module runs as an argument list (``["git", "-C", repo, "ls-files", ...]``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, (ast.List, ast.Tuple)) or not node.elts:
            continue
        head = node.elts[0]
        if not (isinstance(head, ast.Constant) and head.value == "git"):
            continue
        # the first word that is not an option (``-C``'s folder is an expression, not a literal)
        words = [e.value for e in node.elts[1:] if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        found.update([word for word in words if not word.startswith("-")][:1])
    return found


def test_the_suite_needs_no_git_history() -> None:
    """A shallow clone (CI's default) runs every test: the suite reads the checkout's index (``git ls-files``), never
    a commit, a tag or the log."""
    used = {
        f"{path.relative_to(TESTS.parent)}: {command}"
        for folder in (TESTS, TESTS.parent / "harness")
        for path in folder.rglob("*.py")
        for command in git_subcommands(path)
        if command != "ls-files"
    }
    assert used == set()
