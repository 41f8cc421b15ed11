#!/usr/bin/env bash
# Builds the pinned Pulumi CLI and Python language host from Go modules into .tools/pulumi/bin (once), and
# writes the small plugin shims the engine launches beside them. Where a `pulumi` at or above the pinned version
# is already on PATH, that installation is used instead and nothing is built.
#
# Why build at all: the official installer's download hosts are unreachable here and no registry we can reach
# ships the CLI binary, but the Go module proxy is reachable.
#
# The language host: upstream moved pulumi-language-python into its own untagged Go module
# (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) after v3.68.0; the module proxy we can reach
# serves no pseudo-version of it, so we build the host from the last tagged release that ships it inside
# github.com/pulumi/pulumi/sdk/v3 (v3.68.0). The engine talks to it over the stable LanguageRuntime gRPC API and it
# runs the program with the current Python SDK (pulumi==3.272.0) through pulumi-language-python-exec, which we take
# from the pinned CLI's sdk module. PULUMI_LANGHOST_MODULE/PULUMI_LANGHOST_VERSION override this where a newer
# module version is served.
#
# The v3.68.0 host reads the project's `runtime.options.virtualenv` only from command-line flags that today's engine
# no longer passes (it sends the options inside its RPC requests). So the engine starts a small wrapper of ours as
# pulumi-language-python (tools/langhost-build/virtualenv-shim): it reads the option from Pulumi.yaml and starts the
# real host, pulumi-language-python-host, with those flags. What this host still cannot do that an official
# installation does is listed in the README ("The pinned toolchain").
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091
source "$repo/tools/pulumi-versions.env"
bin="$repo/.tools/pulumi/bin"
stamp="$repo/.tools/pulumi/.stamp"
want_stamp="cli=$PULUMI_CLI_VERSION langhost=${PULUMI_LANGHOST_MODULE:-sdk/v3@$PULUMI_LANGHOST_SDK_VERSION}@${PULUMI_LANGHOST_VERSION:-} shim=6"
cli_floor=${PULUMI_CLI_VERSION#v}

version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

mkdir -p "$bin"

# A user's own Pulumi installation at or above the floor wins: link it (and its bundled language host) in.
if [ -z "${PULUMI_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1 && [ "$(command -v pulumi)" != "$bin/pulumi" ]; then
    have=$(pulumi version 2>/dev/null | sed 's/^v//')
    if [ -n "$have" ] && version_ge "$have" "$cli_floor"; then
        dir=$(dirname "$(readlink -f "$(command -v pulumi)")")
        echo "tools: using installed pulumi v$have from $dir"
        ln -sf "$dir/pulumi" "$bin/pulumi"
        rm -f "$bin/pulumi-language-python-host"
        for f in "$dir"/pulumi-language-python "$dir"/pulumi-language-python-exec; do
            [ -e "$f" ] && ln -sf "$f" "$bin/$(basename "$f")"
        done
        want_stamp="installed=$have shim=6"
    fi
fi

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -x "$bin/pulumi" ] && [ -x "$bin/pulumi-language-python" ]; then
    echo "tools: $("$bin/pulumi" version) already in $bin"
    exit 0
fi

export GOMODCACHE="${GOMODCACHE:-$HOME/.cache/pulumi-azure-peering/gomod}"
export GOCACHE="${GOCACHE:-$HOME/.cache/pulumi-azure-peering/gocache}"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
version_pkg=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version

if [ ! -L "$bin/pulumi" ]; then
    command -v go >/dev/null 2>&1 || { echo "tools: no pulumi >= $cli_floor on PATH and no Go toolchain to build it (need Go >= 1.25)" >&2; exit 1; }
    echo "tools: building pulumi $PULUMI_CLI_VERSION from Go modules (first run: ~5 minutes on 2 cores, ~340 MB of module downloads, cached in $GOMODCACHE)"
    start=$(date +%s)
    (cd "$repo/tools/pulumi-build" &&
        go build -trimpath -ldflags "-X $version_pkg=$PULUMI_CLI_VERSION" -o "$bin/pulumi" \
            github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
    if [ -n "${PULUMI_LANGHOST_MODULE:-}" ]; then
        (cd "$repo/tools/pulumi-build" &&
            go get "$PULUMI_LANGHOST_MODULE@$PULUMI_LANGHOST_VERSION" &&
            go build -trimpath -ldflags "-X $version_pkg=$PULUMI_CLI_VERSION" -o "$bin/pulumi-language-python" \
                "$PULUMI_LANGHOST_MODULE")
    else
        (cd "$repo/tools/langhost-build" &&
            go build -trimpath -ldflags "-X $version_pkg=$PULUMI_LANGHOST_SDK_VERSION" \
                -o "$bin/pulumi-language-python-host" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python &&
            go build -trimpath -o "$bin/pulumi-language-python" ./virtualenv-shim)
    fi
    sdkdir=$(cd "$repo/tools/pulumi-build" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
    install -m 0755 "$sdkdir/python/cmd/pulumi-language-python-exec" "$bin/pulumi-language-python-exec"
    echo "tools: built in $(( $(date +%s) - start ))s"
fi

# The dynamic-provider plugin the engine launches for Python dynamic resources, as the SDK's own script does it: the
# project's virtualenv (the engine passes `runtime.options.virtualenv` as PULUMI_RUNTIME_VIRTUALENV, as written in
# Pulumi.yaml), else PULUMI_PYTHON_CMD, else the first python3 on PATH (the harness puts the venv running it first).
# A relative virtualenv belongs to the project's folder (that is how the language host reads it), but the engine
# starts this plugin in the program's folder, which is below it where Pulumi.yaml says `main: some/folder`: so it is
# looked for from the program's folder upwards, and the first folder holding it wins.
cat > "$bin/pulumi-resource-pulumi-python" <<SHIM
#!/bin/sh
venv=\${PULUMI_RUNTIME_VIRTUALENV:-}
if [ -n "\$venv" ]; then
    case \$venv in
        /*) ;;
        *)
            dir=\$PWD
            while [ ! -x "\$dir/\$venv/bin/python" ] && [ "\$dir" != / ]; do dir=\$(dirname "\$dir"); done
            [ -x "\$dir/\$venv/bin/python" ] || dir=\$PWD
            venv=\$dir/\$venv ;;
    esac
    if [ ! -x "\$venv/bin/python" ]; then
        echo "The 'virtualenv' option in Pulumi.yaml is set to \"\$venv\", which is not a virtual environment." >&2
        exit 1
    fi
    PATH="\$venv/bin:\$PATH" exec "\$venv/bin/python" -u -m pulumi.dynamic "\$@"
fi
exec "\${PULUMI_PYTHON_CMD:-python3}" -u -m pulumi.dynamic "\$@"
SHIM
chmod 0755 "$bin/pulumi-resource-pulumi-python"
echo "$want_stamp" > "$stamp"
echo "tools: $("$bin/pulumi" version) ready in $bin"
