"""Wire models of the emulator: what it stores and what it answers, per resource kind (never the provider's)."""
