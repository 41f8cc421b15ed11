"""What a Pulumi program pays for importing this package, over ``import pulumi`` alone (issue 29: <= 0.15 s).

The import is the bench's own program's (``bench.programs.HUB_SPOKE``: ``from pulumi_azure_peering.components
import ...``, what the examples import too). Each sample is a fresh interpreter of the bench's venv
(``sys.executable``, run from an empty directory, as the language host runs a program) that imports ``pulumi``,
then the package, timing each with ``time.perf_counter``; the figure is the package's part, the median of the
samples, after one unmeasured run that leaves every module's bytecode cached (as a program's second run finds it).
One more run with ``-X importtime`` names the modules that cost it: the package's own ten most expensive
(cumulative: with what each imports) and the ten of any package with the most time of their own, among those the
package's import loaded.

The bench process itself never imports the package for this: the measured interpreters are the only ones that load it.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.programs import HUB_SPOKE

PACKAGE = "pulumi_azure_peering"
#: Issue 29: the package's imports in the program, at most this many seconds over ``import pulumi``.
TARGET_S = 0.15
#: What the program imports next, when the component's first vnet read needs ARM: the ARM client with its transport
#: (``provider.arm`` exports it lazily, provider/lazy_exports.py) and the credential library
#: (``provider.auth`` imports it when it makes the first credential). Timed after the import line, so that the row
#: says what deferring them saved and what the program still pays before its first ARM call.
FIRST_READ_MODULES = ("pulumi_azure_peering.provider.arm.connections", "azure.identity")
SAMPLES = 5
TOP = 10
TIMEOUT_S = 120.0


def program_import_lines(program: str = HUB_SPOKE, package: str = PACKAGE) -> list[str]:
    """The program's import statements of ``package`` (``from package... import ...`` / ``import package...``)."""
    found = []
    for line in program.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("from", "import") and words[1].split(".")[0] == package:
            found.append(line.strip())
    return found


def timing_script(
    import_lines: Sequence[str], package: str = PACKAGE, first_read: Sequence[str] = FIRST_READ_MODULES
) -> str:
    """A script that imports pulumi, then runs ``import_lines``, then imports ``first_read``, and prints the three
    times and the modules the import lines loaded, as one JSON line."""
    body = "\n".join(import_lines)
    return f"""\
import json, sys, time
t0 = time.perf_counter()
import pulumi
t1 = time.perf_counter()
before = set(sys.modules)
{body}
t2 = time.perf_counter()
added = set(sys.modules) - before
own = [m for m in added if m == {package!r} or m.startswith({package + "."!r})]
for name in {tuple(first_read)!r}:
    __import__(name)
t3 = time.perf_counter()
print(json.dumps({{"pulumi_s": t1 - t0, "package_s": t2 - t1, "first_read_s": t3 - t2, "modules": len(added),
                  "own_modules": len(own)}}))
"""


@dataclass(frozen=True)
class ImportTime:
    """One line of ``-X importtime``: a module, the microseconds of its own import and with what it imported, and
    how deep it was nested (0: imported by the script itself)."""

    module: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_importtime(stderr: str) -> list[ImportTime]:
    """``-X importtime``'s lines (``import time: self [us] | cumulative | imported package``), in the order the
    imports finished; any other line is skipped."""
    out = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line[len("import time:") :].split("|")
        if len(parts) != 3:
            continue
        try:
            self_us, cumulative_us = int(parts[0]), int(parts[1])
        except ValueError:
            continue  # the header
        name = parts[2].rstrip()
        stripped = name.lstrip(" ")
        out.append(ImportTime(stripped, self_us, cumulative_us, (len(name) - len(stripped) - 1) // 2))
    return out


def after_top_level(entries: Sequence[ImportTime], module: str) -> list[ImportTime]:
    """The entries after ``module``'s own top-level import finished (what the next statement loaded); all of them
    when it is not there."""
    for i, entry in enumerate(entries):
        if entry.module == module and entry.depth == 0:
            return list(entries[i + 1 :])
    return list(entries)


def top_modules(
    entries: Sequence[ImportTime], *, package: str | None = None, key: str = "cumulative_us", top: int = TOP
) -> list[dict[str, Any]]:
    """The ``top`` entries by ``key`` (``cumulative_us`` or ``self_us``), of ``package``'s own modules only when
    given, as milliseconds."""
    chosen = [e for e in entries if package is None or e.module == package or e.module.startswith(package + ".")]
    chosen.sort(key=lambda e: getattr(e, key), reverse=True)
    return [
        {"module": e.module, "self_ms": e.self_us / 1000.0, "cumulative_ms": e.cumulative_us / 1000.0}
        for e in chosen[:top]
    ]


def summarise(samples: Sequence[dict[str, Any]], entries: Sequence[ImportTime]) -> dict[str, Any]:
    """The row's figures from the timed samples and one ``-X importtime`` run."""
    package_s = statistics.median(float(s["package_s"]) for s in samples)
    loaded = after_top_level(entries, "pulumi")
    return {
        "package_import_s": package_s,
        "pulumi_import_s": statistics.median(float(s["pulumi_s"]) for s in samples),
        "first_read_import_s": statistics.median(float(s.get("first_read_s", 0.0)) for s in samples),
        "first_read_modules": list(FIRST_READ_MODULES),
        "samples": len(samples),
        "package_import_samples_s": [round(float(s["package_s"]), 4) for s in samples],
        "modules_loaded": samples[-1].get("modules"),
        "own_modules_loaded": samples[-1].get("own_modules"),
        "importtime_package_ms": sum(e.cumulative_us for e in loaded if e.depth == 0) / 1000.0,
        "importtime_own_top": top_modules(loaded, package=PACKAGE),
        "importtime_self_top": top_modules(loaded, key="self_us"),
        "target": f"package_import_s <= {TARGET_S:g} (issue 29: the package's imports in the program)",
        "target_met": package_s <= TARGET_S,
    }


def measure(samples: int = SAMPLES, python: str = sys.executable) -> dict[str, Any]:
    """Time the program's import of the package in ``samples`` fresh interpreters (after one warm-up), then once
    with ``-X importtime``."""
    lines = program_import_lines()
    script = timing_script(lines)
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as cwd:
        for i in range(samples + 1):
            run = subprocess.run(
                [python, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=True
            )
            if i:  # the first run compiles what is not cached yet
                results.append(json.loads(run.stdout.strip().splitlines()[-1]))
        profiled = subprocess.run(
            [python, "-X", "importtime", "-c", "\n".join(["import pulumi", *lines])],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=True,
        )
    return {"import_lines": lines, **summarise(results, parse_importtime(profiled.stderr))}


if __name__ == "__main__":
    print(json.dumps(measure(), indent=1))
