"""The suites: each folder of tests/ holds one, and every test carries exactly that suite's marker.

``make test-unit``, ``test-emulator``, ``test-engine`` and ``test-reliability`` select by marker (``-m``), so a test
with no suite marker runs in none of them and a test with two runs in both; a marker that is not its folder's puts
a test where nobody looks for it. tests/conftest.py refuses such a collection (``pytest_collection_modifyitems``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

TESTS = Path(__file__).resolve().parent

#: The suite marker of each folder of tests/ (pyproject.toml declares the markers).
SUITE_OF_FOLDER = {
    "unit": "unit",
    "emulator": "emulator",
    # the provider in process against the emulator over HTTPS: the emulator's contract seen from the client
    "provider_on_emulator": "emulator",
    "engine": "engine",
    # the plugin package driven by the real Pulumi CLI (YAML, TypeScript, Python programs)
    "pulumi_package": "engine",
    "reliability": "reliability",
    "packaging": "packaging",
}
SUITES = frozenset(SUITE_OF_FOLDER.values())


def suite_marker_problems(tests: Iterable[tuple[str, Path, Iterable[str]]]) -> list[str]:
    """For each (test id, test file, names of its markers): what is wrong with its suite marker, one line each."""
    problems = []
    for nodeid, path, markers in tests:
        suites = sorted(name for name in markers if name in SUITES)
        relative = path.resolve().relative_to(TESTS)
        wanted = SUITE_OF_FOLDER.get(relative.parts[0]) if len(relative.parts) > 1 else None
        if wanted is None:
            problems.append(f"{nodeid}: tests/{relative} is in no suite's folder ({', '.join(SUITE_OF_FOLDER)})")
        elif not suites:
            problems.append(f"{nodeid}: no suite marker (pytestmark = pytest.mark.{wanted})")
        elif len(suites) > 1:
            problems.append(f"{nodeid}: {len(suites)} suite markers ({', '.join(suites)}); one only: {wanted}")
        elif suites[0] != wanted:
            problems.append(f"{nodeid}: marked {suites[0]} in tests/{relative.parts[0]}/, whose suite is {wanted}")
    return problems
