"""Throughput of the ARM emulator on this machine: GETs with keep-alive client threads, and PUTs polled to completion.

    python bench/emulator_throughput.py [--seconds 5] [--threads 4] [--latency 0 | --latency-profile azure[:SCALE]]

Prints a table. The emulator must never be the bottleneck of the project's benchmarks: the target is >= 500 GET/s.
Then what one peering write costs the emulator on a vnet that has 1, 100 and 499 peerings already (the PUT's
server-side time, from the request log), and the ratio of the largest to the smallest: its checks must not grow with
the vnet's peerings (issue 29). Bounded in time and in requests; talks to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_azure_peering.emulator.testing import EmulatorProcess

MAX_REQUESTS_PER_THREAD = 200_000
#: Peerings a vnet has before the measured write (ARM's limit is 500: the write makes the largest one's 500th).
PEERING_WRITE_SIZES = (1, 100, 499)
PEERING_WRITE_REPEATS = 15


def _topology(sub: str, spokes: int) -> dict[str, Any]:
    vnets: list[dict[str, Any]] = [{"name": "hub", "addressPrefixes": ["10.0.0.0/16"]}]
    vnets += [{"name": f"s{i}", "addressPrefixes": [f"10.{i + 1}.0.0/16"]} for i in range(spokes)]
    vnets[0]["peerings"] = [
        {"name": f"hub-s{i}", "remoteVirtualNetwork": {"resourceGroup": "rg-bench", "name": f"s{i}"}}
        for i in range(spokes)
    ]
    return {
        "resourceGroups": [
            {"subscriptionId": sub, "name": "rg-bench", "location": "westeurope", "virtualNetworks": vnets}
        ]
    }


def _session(emu: EmulatorProcess) -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    s.verify = emu.ca_bundle
    s.headers["Authorization"] = f"Bearer {emu.token()}"
    return s


def _run_threads(threads: int, seconds: float, work: Any) -> tuple[int, list[float], float]:
    latencies: list[list[float]] = [[] for _ in range(threads)]
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    workers = [threading.Thread(target=work, args=(i, deadline, latencies[i])) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.monotonic() - started
    flat = [x for lst in latencies for x in lst]
    return len(flat), flat, elapsed


def bench_gets(emu: EmulatorProcess, base: str, threads: int, seconds: float) -> dict[str, float]:
    url = f"{base}/virtualNetworks/hub/virtualNetworkPeerings/hub-s0?api-version=2025-05-01"

    def work(i: int, deadline: float, out: list[float]) -> None:
        s = _session(emu)
        while time.monotonic() < deadline and len(out) < MAX_REQUESTS_PER_THREAD:
            t0 = time.perf_counter()
            r = s.get(url, timeout=30)
            out.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.text

    n, lat, elapsed = _run_threads(threads, seconds, work)
    return _summary(n, lat, elapsed)


def bench_writes(emu: EmulatorProcess, base: str, path: str, threads: int, seconds: float) -> dict[str, float]:
    """Each thread updates its own spoke's peering (distinct vnets, no 409s) and polls it to Succeeded."""

    def work(i: int, deadline: float, out: list[float]) -> None:
        s = _session(emu)
        remote = f"{path}/virtualNetworks/hub"
        url = f"{base}/virtualNetworks/s{i}/virtualNetworkPeerings/s{i}-hub?api-version=2025-05-01"
        body = {"properties": {"remoteVirtualNetwork": {"id": remote}, "allowForwardedTraffic": True}}
        while time.monotonic() < deadline and len(out) < MAX_REQUESTS_PER_THREAD:
            t0 = time.perf_counter()
            r = s.put(url, json=body, timeout=30)
            assert r.status_code in (200, 201), r.text
            op = r.headers["Azure-AsyncOperation"]
            while True:
                status = s.get(op, timeout=30)
                if status.json()["status"] != "InProgress":
                    break
                time.sleep(float(status.headers.get("x-ms-retry-after-ms", "10")) / 1000.0)
            out.append(time.perf_counter() - t0)

    n, lat, elapsed = _run_threads(threads, seconds, work)
    return _summary(n, lat, elapsed)


def _sized_hubs(sub: str, sizes: tuple[int, ...]) -> dict[str, Any]:
    """Per size N, a resource group with a hub peered to N spokes (both sides, Connected) and one spoke more, peered
    to the hub from its side only: the measured write is the hub's peering to it."""
    groups = []
    for n in sizes:
        spokes = [
            {
                "name": f"s{i}",
                "addressPrefixes": [f"10.{i // 256}.{i % 256}.0/24"],
                "peerings": [{"name": "to-hub", "remoteVirtualNetwork": {"name": "hub"}}],
            }
            for i in range(n + 1)
        ]
        hub = {
            "name": "hub",
            "addressPrefixes": ["172.16.0.0/16"],
            "peerings": [{"name": f"to-s{i}", "remoteVirtualNetwork": {"name": f"s{i}"}} for i in range(n)],
        }
        groups.append(
            {"subscriptionId": sub, "name": f"rg-hub{n}", "location": "westeurope", "virtualNetworks": [hub, *spokes]}
        )
    return {"resourceGroups": groups}


def bench_peering_write(emu: EmulatorProcess, sub: str, n: int, repeats: int) -> dict[str, float]:
    """The hub of ``rg-hub{n}`` (n peerings) writes its peering to its last spoke (a create, then updates), each
    completed at once before the next (whatever the emulator's latency); the PUT's server-side time is read from the
    request log. ``per_s``: writes per second of that time."""
    path = f"/subscriptions/{sub}/resourceGroups/rg-hub{n}/providers/Microsoft.Network/virtualNetworks"
    body = {"properties": {"remoteVirtualNetwork": {"id": f"{path}/s{n}"}, "allowGatewayTransit": True}}
    url = f"{path}/hub/virtualNetworkPeerings/to-s{n}"
    since = emu.last_request_seq()
    for i in range(repeats):
        body["properties"]["allowForwardedTraffic"] = i % 2 == 1
        emu.arm("PUT", url, json=body)
        emu.finish_operations()
    puts = [e for e in emu.request_log(since) if e["method"] == "PUT" and e["path"].lower() == url.lower()]
    assert len(puts) == repeats and all(e["status"] in (200, 201) for e in puts), puts
    latencies = [e["latency_ms"] / 1000.0 for e in puts]
    return _summary(len(latencies), latencies, sum(latencies))


def _summary(n: int, lat: list[float], elapsed: float) -> dict[str, float]:
    lat.sort()
    return {
        "count": n,
        "per_s": n / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(lat) * 1000 if lat else 0.0,
        "p95_ms": lat[int(len(lat) * 0.95) - 1] * 1000 if lat else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--latency", type=float, default=0.0, help="emulator write latency (0: measure overhead)")
    parser.add_argument(
        "--latency-profile", metavar="azure[:SCALE]", help="real Azure write durations times SCALE instead of --latency"
    )
    args = parser.parse_args()
    with EmulatorProcess(latency=args.latency, latency_profile=args.latency_profile) as emu:
        sub = emu.primary.subscriptions[0]
        emu.seed(_topology(sub, max(args.threads, 1)))
        path = f"/subscriptions/{sub}/resourceGroups/rg-bench/providers/Microsoft.Network"
        base = f"{emu.arm_endpoint}{path}"
        # The spokes' side of each pair, so the write benchmark updates existing, Connected peerings.
        for i in range(args.threads):
            body = {"properties": {"remoteVirtualNetwork": {"id": f"{path}/virtualNetworks/hub"}}}
            emu.wait(emu.arm("PUT", f"{path}/virtualNetworks/s{i}/virtualNetworkPeerings/s{i}-hub", json=body))
        rows = [
            ("GET peering, 1 thread", bench_gets(emu, base, 1, args.seconds)),
            (f"GET peering, {args.threads} threads", bench_gets(emu, base, args.threads, args.seconds)),
            (
                f"PUT + poll to Succeeded, {args.threads} threads",
                bench_writes(emu, base, path, args.threads, args.seconds),
            ),
        ]
        emu.seed(_sized_hubs(sub, PEERING_WRITE_SIZES))
        sized = {n: bench_peering_write(emu, sub, n, PEERING_WRITE_REPEATS) for n in PEERING_WRITE_SIZES}
        rows += [(f"PUT peering at {n} peering{'' if n == 1 else 's'} (server)", row) for n, row in sized.items()]
        logged = len(emu.request_log())
    timing = f"latency profile {args.latency_profile}" if args.latency_profile else f"latency {args.latency}s"
    print(f"ARM emulator throughput ({timing}, {args.seconds}s per row, HTTPS keep-alive)")
    print(f"{'scenario':<46} {'count':>8} {'per s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, row in rows:
        print(f"{name:<46} {row['count']:>8.0f} {row['per_s']:>9.1f} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f}")
    smallest, largest = min(sized), max(sized)
    growth = sized[largest]["p50_ms"] / sized[smallest]["p50_ms"] if sized[smallest]["p50_ms"] else 0.0
    print(f"peering write, {largest} / {smallest} peerings: {growth:.2f} (server-side p50)")
    print(f"request log entries: {logged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
