"""The network service: the state of resource groups, vnets, gateways, peerings and features, and the operations
that change it. One module per resource kind (as the wire models in ``models/`` and the HTTP handlers in
``handlers/``), the shared state and the rules' read access in :mod:`.core`, composed in :mod:`.network`."""

from .core import Conditions, Settings, WriteResult
from .network import NetworkService

__all__ = ["Conditions", "NetworkService", "Settings", "WriteResult"]
