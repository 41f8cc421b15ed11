"""HTTP handlers: one module per resource kind, plus the identity and admin surfaces."""
