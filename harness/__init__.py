"""Development harness: hermetic Pulumi runs, the demo driver."""
