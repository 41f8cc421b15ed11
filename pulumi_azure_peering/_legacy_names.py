"""Stacks made with 0.1.0 keep working: its top-level module names resolve to this package, as a last resort.

Pulumi state holds each dynamic provider pickled by reference (dill): every peering a 0.1.0 stack created stores
``provider.resource.VirtualNetworkPeeringProvider``, and the dynamic-provider process must import that name to
refresh, update or delete the peering. 0.2.0 installs no top-level ``provider``, ``components`` or ``emulator``
(they would shadow a project's own ``provider.py`` or ``components/``, or be shadowed by them). Instead the wheel
installs ``pulumi_azure_peering-legacy-names.pth`` at the top of site-packages, which imports this module when
Python starts, and this module appends a finder to the *end* of ``sys.meta_path``:

- the standard finders answer first, so a project's own ``provider.py`` or ``components/`` always wins (and then a
  legacy pickle cannot load in that project, exactly as under 0.1.0, where the two collided too);
- only a name that would otherwise fail with ModuleNotFoundError resolves here, to ``pulumi_azure_peering.<name>``.

A legacy module is a proxy of the real one, never a second copy: attribute reads go to the real module, so a class
unpickled under either name is the same class, with the same per-process locks. Legacy packages get an empty
``__path__``, so that their submodules come here too instead of being loaded again from the files.

The same lets a 0.1.0 program (``from components import HubSpokePeering``) run unchanged until its imports move to
``from pulumi_azure_peering import ...``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Sequence
from importlib.machinery import ModuleSpec

#: The top-level names 0.1.0 installed.
LEGACY_NAMES = frozenset({"provider", "components", "emulator"})
PACKAGE = "pulumi_azure_peering"


class LegacyModule(types.ModuleType):
    """``provider.resource`` and friends: reads go to the module this one stands for."""

    def __getattr__(self, name: str) -> object:
        # Module machinery (__path__, __spec__, __file__, ...) stays this module's own: a forwarded __path__ would
        # let the path finders load the real files a second time under the legacy name.
        if name.startswith("__") and name != "__all__":
            raise AttributeError(name)
        return getattr(importlib.import_module(self.__dict__["__legacy_target__"]), name)

    def __dir__(self) -> list[str]:
        return sorted(set(dir(importlib.import_module(self.__dict__["__legacy_target__"]))) | set(self.__dict__))


class _LegacyLoader:
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: ModuleSpec) -> types.ModuleType:
        real = importlib.import_module(self.target)
        module = LegacyModule(spec.name, real.__doc__)
        module.__dict__["__legacy_target__"] = self.target
        if spec.submodule_search_locations is not None:
            module.__path__ = []  # submodules: found by LegacyNameFinder, never by the path finders
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the real module already ran under its own name."""


class LegacyNameFinder:
    """Resolves ``provider``, ``components``, ``emulator`` and their submodules to ``pulumi_azure_peering.*``.

    Consulted last (see the module docstring); a submodule only when its top-level name is one of ours, so a
    project's own ``components`` package is never completed with modules of this one."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        top = fullname.partition(".")[0]
        if top not in LEGACY_NAMES:
            return None
        if fullname != top and not isinstance(sys.modules.get(top), LegacyModule):
            return None
        real_name = f"{PACKAGE}.{fullname}"
        try:
            real = importlib.util.find_spec(real_name)
        except ImportError:
            return None
        if real is None:
            return None
        is_package = real.submodule_search_locations is not None
        return ModuleSpec(fullname, _LegacyLoader(real_name), is_package=is_package)  # type: ignore[arg-type]


def install() -> None:
    """Append the finder to ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, LegacyNameFinder) for finder in sys.meta_path):
        sys.meta_path.append(LegacyNameFinder())


install()
