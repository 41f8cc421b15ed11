"""Benchmarks of the peering provider and the HubSpokePeering component against the ARM emulator.

Run ``python -m bench --profile quick|full`` (``make bench`` / ``make bench-full``); see docs/benchmarks.md.
Figures are ratios measured side by side in one run; nothing here asserts on timings.
"""
