"""Which tracebacks in a CLI run's output count against us: all but the engine's cancellation race.

The race's text below is what the pinned CLI (v3.274.1) and SDK (3.272.0) printed in a CI run of
tests/engine/test_preview_promises.py, after the refusal it tests; paths shortened, nothing else changed.
"""

from __future__ import annotations

import pytest

from harness.pulumi import program_tracebacks, tracebacks

pytestmark = pytest.mark.unit

SDK = "/repo/.venv/lib/python3.11/site-packages/pulumi/runtime"
PYTHON = "/root/.pyenv/versions/3.11.7/lib/python3.11"

ENGINE_CANCELLATION = f"""\
Diagnostics:
  pulumi:pulumi:Stack (peering-test-dev):
    error: Program failed with an unhandled exception:
    Traceback (most recent call last):
      File "/repo/.tools/pulumi/bin/pulumi-language-python-exec", line 232, in <module>
        loop.run_until_complete(coro)
      File "{PYTHON}/asyncio/base_events.py", line 653, in run_until_complete
        return future.result()
               ^^^^^^^^^^^^^^^
      File "{SDK}/stack.py", line 181, in wait_for_rpcs
        raise exn from cause
      File "{SDK}/resource.py", line 1344, in do_register
        resp = await asyncio.get_running_loop().run_in_executor(
               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      File "{PYTHON}/concurrent/futures/thread.py", line 58, in run
        result = self.fn(*self.args, **self.kwargs)
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
      File "{SDK}/settings.py", line 352, in handle_grpc_error
        raise grpc_error_to_exception(exn)
    Exception: context canceled

  pulumi-python:dynamic/azure-peering:VirtualNetworkPeering (prod-data.hub-to-spoke):
    error: resource 'prod-data.hub-to-spoke': property remote_virtual_network_id has a problem: ...

Resources:
    + 5 to create
    2 errored
"""


def test_the_engines_cancellation_race_is_found_and_set_aside() -> None:
    (found,) = tracebacks(ENGINE_CANCELLATION)
    assert found.splitlines()[0].strip() == "Traceback (most recent call last):"
    assert found.splitlines()[-1].strip() == "Exception: context canceled"
    assert program_tracebacks(ENGINE_CANCELLATION) == []


def test_a_frame_of_ours_makes_it_count() -> None:
    ours = '      File "/repo/pulumi_azure_peering/components/hub_spoke.py", line 300, in _register\n        x()\n'
    text = ENGINE_CANCELLATION.replace("    Exception: context canceled\n", ours + "    Exception: context canceled\n")
    assert len(program_tracebacks(text)) == 1


def test_another_exception_from_the_same_frames_counts() -> None:
    text = ENGINE_CANCELLATION.replace("Exception: context canceled", "Exception: resource registration failed")
    assert len(program_tracebacks(text)) == 1


def test_a_users_program_traceback_counts() -> None:
    text = """\
    error: Program failed with an unhandled exception:
    Traceback (most recent call last):
      File "/work/project/__main__.py", line 3, in <module>
        raise ValueError("bad")
    ValueError: bad
"""
    (found,) = program_tracebacks(text)
    assert found.splitlines()[-1].strip() == "ValueError: bad"
