"""mypy, with each product module under the name it is imported by: ``make lint`` runs this, not ``mypy``.

``provider/``, ``components/``, ``emulator/`` and ``plugin/`` are the subpackages ``pulumi_azure_peering.provider``,
... (setup.py maps them; an editable install resolves them through setuptools' import hook). mypy names a file by its
folders, so on its own it would check ``provider/resource.py`` as a top-level ``provider.resource`` and find no
``pulumi_azure_peering.provider`` at all. This asks the installed package where each of its subpackages lives and
gives mypy those files under the package's names; everything else (options from pyproject.toml, the files to check,
the output, the exit status) is mypy's own.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time

from mypy.fscache import FileSystemCache
from mypy.main import process_options, run_build
from mypy.modulefinder import BuildSource
from mypy.util import FancyFormatter, count_stats

PACKAGE = "pulumi_azure_peering"


def installed_name(source: BuildSource) -> BuildSource:
    """``source`` renamed to ``pulumi_azure_peering.<module>`` when its top-level folder is that subpackage."""
    top = source.module.partition(".")[0]
    if source.base_dir is None or top == PACKAGE:
        return source
    spec = importlib.util.find_spec(f"{PACKAGE}.{top}")
    folder = os.path.abspath(os.path.join(source.base_dir, top))
    if spec is None or folder not in [os.path.abspath(p) for p in spec.submodule_search_locations or []]:
        return source
    return BuildSource(source.path, f"{PACKAGE}.{source.module}", source.text, source.base_dir, source.followed)


def main(args: list[str]) -> int:
    """What ``mypy.main.main`` does for a plain run (mypy is compiled: its steps cannot be patched, only called)."""
    started = time.time()
    fscache = FileSystemCache()
    sources, options = process_options(args, fscache=fscache)
    sources = [installed_name(source) for source in sources]
    _, messages, blockers = run_build(sources, options, fscache, started, sys.stdout, sys.stderr)
    formatter = FancyFormatter(sys.stdout, sys.stderr, options.hide_error_codes)
    n_errors, _, n_files = count_stats(messages)
    if n_errors:
        print(formatter.format_error(n_errors, n_files, len(sources), blockers=blockers))
        return 2 if blockers else 1
    print(formatter.format_success(len(sources)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
