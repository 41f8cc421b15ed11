"""A package's public names, each imported from its module when first used (PEP 562).

Why: the dynamic-provider process imports the provider package when the engine's first ``Check`` unpickles the
provider, and a no-change ``preview`` or ``up`` never calls ARM. Importing the ARM client's transport (requests,
urllib3, tenacity: about a quarter of the package's import time) only when a call needs it takes that time off
every such command's start-up (docs/benchmarks.md). The names stay where they were: ``from .arm import ArmClient``
works as before and imports :mod:`.arm.client` at that moment; modules on the check and diff path therefore name
the ARM client's classes for type checkers only (``TYPE_CHECKING``) and use them through their package at run time.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: each name of ``exports`` (public name -> module, relative to
    ``package``) is imported from its module on first access and then kept in the package's namespace."""

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, package), name)
        globals_of_package = importlib.import_module(package).__dict__
        globals_of_package[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(importlib.import_module(package).__dict__) | set(exports))

    return __getattr__, __dir__
