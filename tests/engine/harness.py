"""The engine tests' harness: hermetic runs of the pinned Pulumi CLI (see harness/pulumi.py)."""

from harness.pulumi import DEV_PASSPHRASE, PulumiError, PulumiProject, PulumiResult, copy_example, hermetic_env

__all__ = ["DEV_PASSPHRASE", "PulumiError", "PulumiProject", "PulumiResult", "copy_example", "hermetic_env"]
