"""Runs the Pulumi dynamic-provider process (``python -m pulumi.dynamic``) and records what it costs.

The benchmarks put a copy of the ``pulumi-resource-pulumi-python`` shim first on the engine's PATH; that copy execs
this file instead of ``-m pulumi.dynamic``. Before handing over to the real ``pulumi.dynamic`` main it times the
process's start-up (interpreter, the dynamic-provider runtime's imports, and optionally the provider package the
first request would import), then it writes ``provider-<pid>.json`` into ``$BENCH_PROVIDER_STATS_DIR`` every half
second and once more at exit: CPU seconds (user + system, all threads, from getrusage), peak RSS, ages, and when
the engine's first call of each kind (``Check``, ``Create``, ``Read``...) reached the process (epoch seconds, from a
gRPC server interceptor: what the engine and the SDK took to get there, whatever the provider then does).
Nothing in the provider's behaviour changes, unless ``$BENCH_PROVIDER_WORKERS`` asks for another gRPC worker pool
than ``pulumi.dynamic``'s 4 threads (an experiment, off by default). The engine ends the process with SIGINT (then
SIGKILL), which ``pulumi.dynamic`` answers by returning from main, so the final record is written by ``atexit``.

Standard library only (and grpc, which the runtime has loaded by then, for the interceptor and the experiment): this
file runs as a script inside the provider process, outside the bench package.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import resource
import runpy
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

STATS_DIR_ENV = "BENCH_PROVIDER_STATS_DIR"
PRELOAD_ENV = "BENCH_PROVIDER_PRELOAD"
#: Experiment: serve the engine with this many gRPC worker threads instead of pulumi.dynamic's fixed 4.
WORKERS_ENV = "BENCH_PROVIDER_WORKERS"
WRITE_INTERVAL_S = 0.5
# What `python -m pulumi.dynamic` imports before it can answer the engine (see pulumi/dynamic/__main__.py).
RUNTIME_MODULES = ("grpc", "dill", "pulumi.runtime", "pulumi.dynamic")


def _process_age_s() -> float:
    """Seconds since this process was exec'd (from /proc: start time in clock ticks since boot vs uptime)."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        stat = Path("/proc/self/stat").read_text()
        start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - start_ticks / ticks)
    except (OSError, ValueError, IndexError):
        return 0.0


def _cpu_s() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


class _Recorder:
    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / f"provider-{os.getpid()}.json"
        self.record: dict[str, Any] = {"pid": os.getpid(), "final": False}
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def write(self, *, final: bool = False) -> None:
        user, system = _cpu_s()
        with self._lock:
            self.record.update(
                {
                    "cpu_user_s": user,
                    "cpu_sys_s": system,
                    "cpu_s": user + system,
                    "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                    "age_s": _process_age_s(),
                    "final": final,
                }
            )
            tmp = self.path.with_suffix(".tmp")
            try:
                tmp.write_text(json.dumps(self.record))
                tmp.replace(self.path)
            except OSError:
                pass

    def first_call(self, method: str) -> None:
        """Note the wall-clock time (epoch seconds) of ``method``'s first call."""
        with self._lock:
            self.record.setdefault("first_call_at", {}).setdefault(method, time.time())

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(WRITE_INTERVAL_S):
                self.write()

        threading.Thread(target=loop, name="bench-probe", daemon=True).start()

    def finish(self) -> None:
        self._stop.set()
        self.write(final=True)


def _watch_grpc_server(recorder: _Recorder | None, workers: int) -> None:
    """Make ``grpc.server`` (called once, by pulumi.dynamic's main) note in ``recorder`` when each RPC method's first
    call arrives and, with ``workers``, serve on that many threads whatever pool it is given."""
    from concurrent import futures

    import grpc

    original = grpc.server

    class FirstCalls(grpc.ServerInterceptor):  # type: ignore[misc]
        def __init__(self, recorder: _Recorder) -> None:
            self.recorder = recorder

        def intercept_service(self, continuation: Any, details: Any) -> Any:
            self.recorder.first_call(str(details.method).rsplit("/", 1)[-1])
            return continuation(details)

    def server(thread_pool: Any, *args: Any, **kwargs: Any) -> Any:
        pool = futures.ThreadPoolExecutor(max_workers=workers) if workers > 0 else thread_pool
        if recorder is not None:  # nowhere to note the calls: no interceptor on every call
            kwargs["interceptors"] = [*kwargs.get("interceptors", ()), FirstCalls(recorder)]
        return original(pool, *args, **kwargs)

    grpc.server = server


def main() -> None:
    # Running as a script put bench/ first on sys.path; `python -m pulumi.dynamic` would have the working directory
    # there instead (where a program's own modules, e.g. a provider pickled by reference, are found).
    if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
        sys.path[0] = ""
    out = os.environ.get(STATS_DIR_ENV)
    recorder = _Recorder(Path(out)) if out else None

    interpreter_s = _process_age_s()
    launched_at = time.time() - interpreter_s  # when the engine launched the process (epoch seconds)
    cpu0 = sum(_cpu_s())
    t0 = time.perf_counter()
    for name in RUNTIME_MODULES:
        importlib.import_module(name)
    t1 = time.perf_counter()
    preload = [m for m in os.environ.get(PRELOAD_ENV, "").split(",") if m]
    for name in preload:
        importlib.import_module(name)
    t2 = time.perf_counter()
    workers = int(os.environ.get(WORKERS_ENV) or 0)
    if recorder is not None or workers > 0:
        _watch_grpc_server(recorder, workers)

    if recorder is not None:
        recorder.record.update(
            {
                "launched_at": launched_at,
                "interpreter_s": interpreter_s,
                "runtime_import_s": t1 - t0,
                "preload": preload,
                "preload_import_s": t2 - t1,
                "startup_wall_s": _process_age_s(),
                "startup_cpu_s": sum(_cpu_s()),
                "startup_cpu_before_imports_s": cpu0,
                "grpc_workers": workers or None,
            }
        )
        recorder.write()
        recorder.start()
        atexit.register(recorder.finish)
        # SIGTERM would skip atexit; turn it into a normal exit.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    sys.argv[0] = "pulumi.dynamic"
    runpy.run_module("pulumi.dynamic", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
