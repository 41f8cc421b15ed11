"""Hermetic runs of the pinned Pulumi CLI, shared by `make demo`, the engine tests and the benchmarks.

Every run gets its own PULUMI_HOME and a local file backend under a state folder, never checks for updates, never
downloads plugins, and encrypts secrets with a passphrase. The passphrase below is for local development and tests
only: set PULUMI_CONFIG_PASSPHRASE yourself for anything you keep.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".tools" / "pulumi" / "bin"
#: The virtualenv running this harness (the repo's .venv, or a second one such as .venv-floor): its Python runs the
#: programs and the dynamic provider, so a suite run from another venv tests that venv's packages.
VENV_BIN = Path(sys.executable).parent
#: Documented development passphrase for the local backends of the demo and the tests.
DEV_PASSPHRASE = "azure-peering-local-dev"


def pulumi_cli() -> Path:
    """The pinned CLI built by `make tools` (a link to the user's own where one was found)."""
    cli = TOOLS_BIN / "pulumi"
    if not cli.exists():
        raise RuntimeError(f"{cli} is missing: run `make tools` first")
    return cli


def hermetic_env(state_dir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Environment for one isolated Pulumi installation rooted at `state_dir` (home and file backend)."""
    home = state_dir / "pulumi-home"
    backend = state_dir / "backend"
    home.mkdir(parents=True, exist_ok=True)
    backend.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "AZURE_"))}
    env.update(
        {
            "PATH": os.pathsep.join([str(TOOLS_BIN), str(VENV_BIN), os.environ.get("PATH", "")]),
            "PULUMI_HOME": str(home),
            "PULUMI_BACKEND_URL": backend.as_uri(),
            "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", DEV_PASSPHRASE),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            "PYTHONUNBUFFERED": "1",
            "NO_COLOR": "1",
        }
    )
    env.update(extra or {})
    return env


@dataclass
class PulumiResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


#: The engine's cancellation race (docs/architecture.md, "What the Pulumi runtime imposes"): once a step fails,
#: the engine cancels the run; a registration that reaches it at that moment waits on the default provider, whose
#: cancellation answers ``context canceled`` (gRPC Unknown) where the rest of the resource monitor answers
#: Unavailable; the Python SDK turns the former into a plain ``Exception`` and its language host prints the
#: program's "unhandled exception". Its frames are all the runtime's own (the language host, asyncio, the SDK).
ENGINE_CANCELLATION = "Exception: context canceled"
_RUNTIME_FRAME = re.compile(r'File "[^"]*(pulumi-language-python-exec|/asyncio/|/concurrent/futures/|/pulumi/runtime/)')
_TRACEBACK_HEADER = "Traceback (most recent call last):"


def tracebacks(output: str) -> list[str]:
    """Every Python traceback printed in a CLI run's output, each as its lines from the header to the exception
    line (the first line indented like the header that is not a frame)."""
    lines = output.splitlines()
    found: list[str] = []
    for start, line in enumerate(lines):
        if line.strip() != _TRACEBACK_HEADER:
            continue
        indent = len(line) - len(line.lstrip())
        end = start + 1
        while end < len(lines):
            text = lines[end]
            if text.strip() and len(text) - len(text.lstrip()) <= indent:
                break
            end += 1
        found.append("\n".join(lines[start : end + 1]))
    return found


def is_engine_cancellation(traceback: str) -> bool:
    """This traceback is the engine's cancellation race (:data:`ENGINE_CANCELLATION`), not a program's fault."""
    lines = traceback.splitlines()
    frames = [line for line in lines if line.strip().startswith('File "')]
    return (
        lines[-1].strip() == ENGINE_CANCELLATION
        and bool(frames)
        and all(_RUNTIME_FRAME.search(frame) for frame in frames)
    )


def program_tracebacks(output: str) -> list[str]:
    """The tracebacks a user reads in this output that our code or the user's program caused: every one except
    the engine's cancellation race, which follows a refusal the output states (and a test asserts) on its own."""
    return [traceback for traceback in tracebacks(output) if not is_engine_cancellation(traceback)]


class PulumiError(RuntimeError):
    def __init__(self, result: PulumiResult) -> None:
        tail = "\n".join(result.output.strip().splitlines()[-40:])
        super().__init__(f"pulumi {' '.join(result.args)} exited {result.returncode}:\n{tail}")
        self.result = result


class PulumiProject:
    """One Pulumi project directory and stack, driven through the plain CLI."""

    def __init__(self, workdir: Path, stack: str, env: Mapping[str, str]) -> None:
        self.workdir = workdir
        self.stack = stack
        self.env = dict(env)

    @classmethod
    def from_program(
        cls,
        workdir: Path,
        program: str,
        env: Mapping[str, str],
        *,
        project: str = "peering-test",
        stack: str = "test",
        config: Mapping[str, str] | None = None,
    ) -> PulumiProject:
        """Write a Python program (`__main__.py`) and its Pulumi.yaml into `workdir`, then select/create the stack."""
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "Pulumi.yaml").write_text(f"name: {project}\nruntime: python\n")
        (workdir / "__main__.py").write_text(textwrap.dedent(program))
        proj = cls(workdir, stack, env)
        proj.select()
        for key, value in (config or {}).items():
            proj.config_set(key, value)
        return proj

    def run(self, *args: str, check: bool = True, timeout: float = 900, stream: bool = False) -> PulumiResult:
        """Run `pulumi <args>` on this project and stack. With `stream`, the CLI writes to this process's own
        stdout/stderr (Pulumi's progress display) and the result carries no text."""
        # Streamed to a terminal, Pulumi shows its interactive progress display; otherwise plain, prompt-free output.
        interactive = stream and sys.stdout.isatty()
        argv = [str(pulumi_cli()), *args, *([] if interactive else ["--non-interactive"]), "--cwd", str(self.workdir)]
        if not args or args[:2] != ("stack", "select"):
            argv += ["--stack", self.stack]
        if stream:
            proc = subprocess.run(argv, env=self.env, text=True, timeout=timeout, check=False)
        else:
            proc = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout, check=False)
        result = PulumiResult(list(args), proc.returncode, proc.stdout or "", proc.stderr or "")
        if check and not result.ok:
            raise PulumiError(result)
        return result

    def select(self) -> None:
        self.run("stack", "select", "--create", self.stack)

    def config_set(self, key: str, value: str, *, secret: bool = False) -> None:
        # `config set-all --plaintext=key=value` carries the value inside its flag: with `config set key value` a
        # value starting with "-" (a generated client secret, say) is read as an unknown flag.
        self.run("config", "set-all", f"--{'secret' if secret else 'plaintext'}={key}={value}")

    def write_config(self, values: Mapping[str, Any]) -> None:
        """Replace the stack's plain (non-secret) config with `values` ({"project:key": value}) in one write,
        keeping the secrets provider's salt: much faster than one `pulumi config set` per key."""
        import yaml

        path = self.workdir / f"Pulumi.{self.stack}.yaml"
        doc = yaml.safe_load(path.read_text()) if path.exists() else None
        doc = doc or {}
        doc["config"] = dict(values)
        path.write_text(yaml.safe_dump(doc, sort_keys=True))

    def up(self, *extra: str, check: bool = True, timeout: float = 900, skip_preview: bool = True) -> PulumiResult:
        """`pulumi up --yes`; with ``skip_preview=False`` the engine previews first, as a user's `pulumi up` does
        (the preview's check/diff of unknown inputs then runs before the update)."""
        preview = ["--skip-preview"] if skip_preview else []
        return self.run("up", "--yes", *preview, *extra, check=check, timeout=timeout)

    def preview(self, *extra: str, check: bool = True, expect_no_changes: bool = False) -> PulumiResult:
        return self.run("preview", *extra, *(["--expect-no-changes"] if expect_no_changes else []), check=check)

    def refresh(self, *extra: str, check: bool = True) -> PulumiResult:
        return self.run("refresh", "--yes", "--skip-preview", *extra, check=check)

    def destroy(self, *extra: str, check: bool = True) -> PulumiResult:
        return self.run("destroy", "--yes", "--skip-preview", *extra, check=check)

    def outputs(self) -> dict[str, Any]:
        out = self.run("stack", "output", "--json", "--show-secrets")
        data: dict[str, Any] = json.loads(out.stdout or "{}")
        return data

    def export(self) -> dict[str, Any]:
        out = self.run("stack", "export")
        data: dict[str, Any] = json.loads(out.stdout)
        return data

    def resources(self, type_suffix: str = "") -> list[dict[str, Any]]:
        """Resources in the checkpoint, optionally those whose type ends with `type_suffix`."""
        res: list[dict[str, Any]] = self.export()["deployment"].get("resources") or []
        return [r for r in res if r["type"].endswith(type_suffix)]

    def backend_files_text(self) -> str:
        """Every file of the local backend (checkpoints, history, backups) as one text, for secret scans."""
        backend = Path(self.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
        chunks = []
        for path in sorted(backend.rglob("*")):
            if path.is_file():
                chunks.append(path.read_bytes().decode("utf-8", errors="replace"))
        return "\n".join(chunks)


_VIRTUALENV_OPTION = re.compile(r"^(\s+virtualenv:\s*).*$", re.MULTILINE)


def copy_example(name: str, dest: Path) -> Path:
    """Copy examples/<name> to `dest` (so tests never write into the repo) and return the copy. The examples name
    the repository's virtualenv relative to their folder (``virtualenv: ../../.venv``); the copies name the virtualenv
    running this harness, so that the language host finds it from anywhere and a suite run from another venv tests
    that venv's packages."""
    src = REPO / "examples" / name
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "Pulumi.*.yaml"))
    for project_file in dest.rglob("Pulumi.yaml"):
        text = project_file.read_text()
        project_file.write_text(_VIRTUALENV_OPTION.sub(lambda m: m.group(1) + str(Path(sys.prefix)), text))
    return dest
