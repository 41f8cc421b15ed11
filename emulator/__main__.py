"""``python -m pulumi_azure_peering.emulator``, the same as the ``azure-peering-emulator`` console script."""

import sys

from .cli import main

sys.exit(main())
