"""``python -m bench --profile quick|full``: run the benchmarks, print the table, write bench/results/latest.json."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.profiles import PROFILES, override_rollouts
from bench.suite import GROUPS, Suite
from harness.pulumi import REPO
from pulumi_azure_peering.emulator.timing import PEERING, LatencyProfile

DEFAULT_OUTPUT = REPO / "bench" / "results" / "latest.json"
WORK_ROOT = REPO / ".state" / "bench"


#: Set in a shell, it has every measured program and provider process compile this project's modules from source at
#: each start, never reading cached bytecode (the package's import measured 0.085 s over `import pulumi` in a run
#: with it set, 0.057 s in the run before without, same code). A user's installed package has its bytecode (pip
#: compiles it at install); the bench's processes inherit this process's environment, and their first runs, which
#: the bench does not measure, write it.
_NO_BYTECODE_ENV = "PYTHONDONTWRITEBYTECODE"


def main(argv: list[str] | None = None) -> int:
    os.environ.pop(_NO_BYTECODE_ENV, None)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (stacks, request logs, stats)")
    parser.add_argument("--only", action="append", choices=GROUPS, help="run only these case groups (repeatable)")
    parser.add_argument(
        "--rollout-n", type=int, action="append", help="spoke counts of the rollouts, at every L (repeatable)"
    )
    parser.add_argument(
        "--latency", type=float, action="append", help="emulator seconds per write (L) of the rollouts (repeatable)"
    )
    parser.add_argument(
        "--latency-profile",
        metavar="azure[:SCALE]",
        help="experiment: the rollouts' writes take real Azure durations times SCALE (default 0.01; peerings 10 s, "
        "vnets 3 s) instead of a flat L; L is then the profile's peering write time (not with --latency)",
    )
    parser.add_argument(
        "--serialized-only", action="store_true", help="skip the rollouts with per-vnet serialisation off"
    )
    parser.add_argument(
        "--read-n", type=int, help="spoke count of the preview/refresh cases (the plugin path's too, if it has any)"
    )
    parser.add_argument(
        "--provider-workers",
        type=int,
        help="experiment: gRPC worker threads of the dynamic-provider process (pulumi.dynamic has 4)",
    )
    parser.add_argument(
        "--parallel", type=int, help="experiment: the engine's --parallel (default: the CLI's, 4 per CPU)"
    )
    args = parser.parse_args(argv)

    latencies = args.latency
    if args.latency_profile:
        if args.latency:
            parser.error("--latency and --latency-profile exclude each other (the profile decides every write's time)")
        try:
            latency_profile = LatencyProfile.parse(args.latency_profile)
        except ValueError as exc:
            parser.error(str(exc))
        latencies = [latency_profile.seconds(PEERING, "PUT")]
    profile = override_rollouts(PROFILES[args.profile], args.rollout_n, latencies, serialized_only=args.serialized_only)
    if args.latency_profile:
        profile = replace(profile, latency_profile=latency_profile.spec)
    if args.read_n:
        # the plugin group's dynamic rows are then the reads group's own, as in the profiles
        profile = replace(profile, read_n=args.read_n, plugin_read_n=args.read_n if profile.plugin_read_n else 0)
    if args.provider_workers:
        profile = replace(profile, provider_workers=args.provider_workers)
    if args.parallel:
        profile = replace(profile, engine_parallel=args.parallel)
    started = datetime.now(UTC)
    workdir = WORK_ROOT / started.strftime("%Y%m%dT%H%M%S")
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"bench: profile {profile.name}, work directory {workdir.relative_to(REPO)}", flush=True)
    t0 = time.perf_counter()
    suite = Suite(profile, workdir, log=lambda line: print(line, flush=True), groups=args.only or GROUPS)
    try:
        results = suite.run()
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    doc = report.document(profile, results, started, time.perf_counter() - t0)
    report.write(doc, args.output)
    print()
    report.print_table(doc)
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
