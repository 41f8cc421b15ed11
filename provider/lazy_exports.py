"""A package's public names, each imported from its module when first used (PEP 562).

Why: the dynamic-provider process imports the provider package when the engine's first ``Check`` unpickles the
provider, and a no-change ``preview`` or ``up`` never calls ARM. Importing the ARM client's transport (requests,
urllib3, tenacity: about a quarter of the package's import time) only when a call needs it takes that time off
every such command's start-up (docs/benchmarks.md). The names stay where they were: ``from .arm import ArmClient``
works as before and imports :mod:`.arm.client` at that moment; modules on the check and diff path therefore name
the ARM client's classes for type checkers only (``TYPE_CHECKING``) and use them through their package at run time.

The same holds for the peering's pydantic models (:mod:`.models`, and pydantic with them: about half of the
provider's own import time): a check without a preflight and a diff compare plain dicts, so the modules on their
path reach the models through this module's :data:`models` and :data:`pydantic` (each a :func:`lazy_module`),
which import them when a create, read, update, delete or preflight first parses or builds one. What the diff
compares them by (ARM's peering states) lives in :mod:`.schema`, which imports no pydantic.
``tests/unit/provider/test_lazy_imports.py`` holds both to this.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import ModuleType
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


class _LazyModule:
    """Stands for a module until an attribute is first read: then imports it and answers from it."""

    __slots__ = ("_module", "_name")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r}, imported when first used>"


def lazy_module(name: str) -> Any:
    """``name`` (an absolute module name), imported when one of its attributes is first read. Bound here, once per
    deferred module (:data:`models`, :data:`pydantic`); a module imports that name where it would import the
    module (the real import under ``TYPE_CHECKING`` for type checkers) and writes ``models.PeeringSpec`` where it
    needs the class at run time."""
    return _LazyModule(name)


#: The peering's pydantic models (:mod:`.models`) and pydantic itself, each imported when first used. One proxy of
#: each per process: the modules on the check and diff path import these names in the ``else`` branch of their
#: ``TYPE_CHECKING`` block (the real import is the type checkers'), so the name of what is deferred lives here only.
models = lazy_module("pulumi_azure_peering.provider.models")
pydantic = lazy_module("pydantic")
