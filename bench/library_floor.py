"""The *library floor*: the shape floor (``bench.programs.SHAPED``) that also imports the mission's libraries where
this project's code first needs them. What is left between the peerings and it is this project's code: its own
modules and whatever else they import, its plan and vnet reads, its ARM calls (tokens and TLS included), its outputs.

The mission's dependencies are not the engine's or the SDK's, but no code of this project can avoid them either: a
program that reads its vnets from ARM with azure-identity through azure-core imports them before it registers
anything, and a provider that answers a refresh from ARM imports them (and pydantic, for ARM's answers) at its first
read. Their import costs CPU, and the objects they leave alive lengthen each of the cyclic collector's full
collections during the SDK's registrations (upstream finding J in docs/benchmarks.md).

Each phase imports the libraries' entry points this project's code uses, not what its import graph happens to load:
a module this project loads without need (azure-core's pollers, which only writes use, the standard library's
modules of its own code) stays on this project's side of the ratio. ``tests/unit/bench/test_library_floor.py``
holds that this project's code loads every one of them in that phase, so the floor never loads more than ours does.
What the libraries import lazily later (a credential's first token, the first request, pydantic's schema building)
is on ours too.

Phases (:data:`PHASES`), where the floor's module (``bench.programs.FLOOR_LIBRARIES``) imports them:

- ``program``: the program's, before its registrations (ours: the package's import, then the first vnet read's).
- ``provider_start``: the provider process's, before it serves (ours: ``provider.resource``, which the bench
  preloads in the peerings' provider process, and the library floor's runs preload the floor's provider likewise).
- ``provider_first_read``: the provider's first ``read`` (ours: the ARM client, azure-identity, the models).
- ``provider_first_check``: the provider's first ``check`` of a resource not yet in the state (ours: the new
  peering's preflight reads its vnets from ARM, with the ARM client, azure-identity and the models). A check of a
  resource the state holds loads nothing: ours then runs no preflight (a no-change preview or ``up`` never calls
  ARM from the provider).
"""

from __future__ import annotations

from collections.abc import Mapping

#: ARM ids are parsed with azure-mgmt-core's parser (``provider/ids.py``), from the package's import on.
_ID_PARSER = "azure.mgmt.core.tools"
#: The ARM client sends through azure-core's requests transport (``provider/arm/pipeline.py``); azure-core's
#: pipeline itself comes with the id parser's package, so what a first request needs on top of it is requests.
_TRANSPORT = "requests"
#: Tokens come from an azure-identity credential (``provider/auth.py``).
_CREDENTIAL = "azure.identity"
#: ARM's answers are read by pydantic models (``provider/models.py``: ``BaseModel`` is ``pydantic.main``'s).
_MODELS = "pydantic.main"

#: The modules the floor imports in each phase, in this order.
PHASES: Mapping[str, tuple[str, ...]] = {
    "program": (_ID_PARSER, _TRANSPORT, _CREDENTIAL),
    "provider_start": (_ID_PARSER,),
    "provider_first_read": (_TRANSPORT, _CREDENTIAL, _MODELS),
    "provider_first_check": (_TRANSPORT, _CREDENTIAL, _MODELS),
}
#: The floor provider's module, preloaded as the peerings' provider module is (``provider_probe.PRELOAD_ENV``).
PROVIDER_MODULE = "shape_provider"
