"""MkDocs hooks of the API reference (``mkdocs.yml``: ``hooks``), run by ``make docs``.

1. **The package as it is imported, for griffe.** ``provider/``, ``components/``, ``emulator/`` and ``plugin/`` are
   the subpackages ``pulumi_azure_peering.provider``, ... (setup.py's ``package_dir``). Griffe, which reads the
   source for mkdocstrings, finds a package by its folder, so it would find no ``pulumi_azure_peering/provider``.
   As ``tools/typecheck.py`` does for mypy, this asks the installed package where each subpackage lives, and lays
   out ``build/api-src/pulumi_azure_peering/`` as symbolic links to those folders (what setuptools' strict editable
   mode builds): mkdocstrings reads it first (``paths`` in ``mkdocs.yml``), statically, attribute docstrings kept.
2. **The peering's fields.** A line ``<!-- peering-fields -->`` becomes the table of every field of the peering,
   from ``provider/schema.py`` (``fields_table``).
3. **The emulator's command line.** A line ``<!-- argparse: module:function -->`` in a page becomes the ``--help``
   of that parser and of each of its subcommands, at any depth, generated from the parser at build time.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

PACKAGE = "pulumi_azure_peering"
REPO = Path(__file__).resolve().parents[2]
#: What mkdocstrings reads (``mkdocs.yml``: ``plugins.mkdocstrings.handlers.python.paths``); git ignores build/.
SOURCE_TREE = REPO / "build" / "api-src"
#: The width the help is wrapped at, whatever the terminal of the build.
HELP_COLUMNS = 100

_FIELDS = "<!-- peering-fields -->"
_ARGPARSE = re.compile(r"^<!-- argparse: (?P<module>[\w.]+):(?P<function>\w+) -->$", re.MULTILINE)


def mapped_subpackages() -> dict[str, Path]:
    """The repository's top-level folders that the installed package imports as its subpackages, by name."""
    found: dict[str, Path] = {}
    for folder in sorted(p for p in REPO.iterdir() if (p / "__init__.py").is_file() and p.name != PACKAGE):
        spec = importlib.util.find_spec(f"{PACKAGE}.{folder.name}")
        locations = [Path(p).resolve() for p in (spec.submodule_search_locations or [])] if spec else []
        if folder.resolve() in locations:
            found[folder.name] = folder
    return found


def lay_out_source_tree() -> Path:
    """``build/api-src/pulumi_azure_peering``: the package's own files, and its mapped subpackages, as links."""
    package = SOURCE_TREE / PACKAGE
    shutil.rmtree(SOURCE_TREE, ignore_errors=True)
    package.mkdir(parents=True)
    for entry in sorted((REPO / PACKAGE).iterdir()):
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    subpackages = mapped_subpackages()
    if not subpackages:
        raise RuntimeError(f"no subpackage of {PACKAGE} found: is the package installed (make venv)?")
    for name, folder in subpackages.items():
        (package / name).symlink_to(folder, target_is_directory=True)
    return SOURCE_TREE


def commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[tuple[str, str, Any]]:
    """``(command line, one-line help, parser)`` for the parser and every subcommand under it, depth first."""
    yield " ".join(words or (parser.prog,)), parser.description or "", parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, sub in action.choices.items():
                for line, text, found in commands(sub, (*(words or (parser.prog,)), name)):
                    yield line, text if found is not sub else helps.get(name, text), found


def cli_markdown(module: str, function: str) -> str:
    """The help of every command of the parser ``module.function()`` returns, as Markdown."""
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(HELP_COLUMNS)
    try:
        parser = getattr(importlib.import_module(module), function)()
        parts = []
        for line, text, sub in commands(parser):
            level = "#" * min(2 + line.count(" "), 6)
            summary = f"{text[0].upper()}{text[1:]}." if text and not text.endswith(".") else text
            parts.append(f"{level} `{line}`\n\n{summary}\n\n```text\n{sub.format_help().rstrip()}\n```\n")
        return "\n".join(parts)
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


@event_priority(100)  # before mkdocstrings sets up griffe's finder, which lists the tree once
def on_config(config: Any, **kwargs: Any) -> Any:
    lay_out_source_tree()
    return config


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    if _FIELDS in markdown:
        from pulumi_azure_peering.provider.schema import fields_table

        markdown = markdown.replace(_FIELDS, fields_table())
    return _ARGPARSE.sub(lambda m: cli_markdown(m["module"], m["function"]), markdown)
