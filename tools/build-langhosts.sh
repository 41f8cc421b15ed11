#!/usr/bin/env bash
# Builds the language hosts that run programs using the `azure-peering` package from other languages, into
# .tools/pulumi/bin next to the pinned CLI (once; Go caches in ~/.cache/pulumi-azure-peering as tools/build-pulumi.sh):
#
# - pulumi-language-yaml: Pulumi YAML, from its Go module github.com/pulumi/pulumi-yaml at a tagged release the
#   module proxy serves (tools/yaml-build/go.mod pins it). It speaks the engine's LanguageRuntime gRPC API.
# - pulumi-language-nodejs: the Node.js host. Its own module (github.com/pulumi/pulumi/sdk/nodejs/cmd/
#   pulumi-language-nodejs/v3) is refused by the module proxy here (403 on its version list, on @latest and on
#   v3.274.1), so, as for the Python host, it is built from the last tagged release that ships it inside
#   github.com/pulumi/pulumi/sdk/v3 (v3.68.0, tools/langhost-build). It runs programs with the @pulumi/pulumi that
#   npm installs into the program's node_modules. That host predates the GeneratePackage RPC, so `pulumi package
#   gen-sdk --language nodejs` fails with it ("method GeneratePackage not implemented"):
# - pulumi-azure-peering-sdkgen (tools/sdkgen) generates the Node.js SDK with the code generator those newer hosts
#   call, github.com/pulumi/pulumi/pkg/v3/codegen/nodejs at the pinned CLI's version.
#
# Where a user's own Pulumi installation was linked in by tools/build-pulumi.sh, its bundled hosts are linked too.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck disable=SC1091
source "$repo/tools/pulumi-versions.env"
bin="$repo/.tools/pulumi/bin"
stamp="$repo/.tools/pulumi/.langhosts-stamp"
yaml_version=$(sed -n 's/^require github.com\/pulumi\/pulumi-yaml \(v[^ ]*\).*/\1/p' "$repo/tools/yaml-build/go.mod")
version_pkg=github.com/pulumi/pulumi/sdk/v3/go/common/version.Version
want_stamp="yaml=$yaml_version nodejs=sdk/v3@$PULUMI_LANGHOST_SDK_VERSION sdkgen=$(cat "$repo/tools/sdkgen/main.go" "$repo/tools/sdkgen/go.mod" | sha256sum | cut -c1-16)"

mkdir -p "$bin"
hosts=built
if [ -L "$bin/pulumi" ]; then
    dir=$(dirname "$(readlink -f "$bin/pulumi")")
    if [ -e "$dir/pulumi-language-yaml" ] && [ -e "$dir/pulumi-language-nodejs" ]; then
        ln -sf "$dir/pulumi-language-yaml" "$dir/pulumi-language-nodejs" "$bin/"
        hosts="installed:$dir"
        echo "tools: using the installed YAML and Node.js language hosts from $dir"
    fi
fi
want_stamp="$want_stamp hosts=$hosts"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -x "$bin/pulumi-language-yaml" ] &&
    [ -x "$bin/pulumi-language-nodejs" ] && [ -x "$bin/pulumi-azure-peering-sdkgen" ]; then
    exit 0
fi

command -v go >/dev/null 2>&1 || { echo "tools: no Go toolchain to build the YAML/Node.js language hosts" >&2; exit 1; }
export GOMODCACHE="${GOMODCACHE:-$HOME/.cache/pulumi-azure-peering/gomod}"
export GOCACHE="${GOCACHE:-$HOME/.cache/pulumi-azure-peering/gocache}"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0
start=$(date +%s)
if [ "$hosts" = built ]; then
    echo "tools: building pulumi-language-yaml $yaml_version (first run: ~3 minutes, cached in $GOMODCACHE)"
    (cd "$repo/tools/yaml-build" &&
        go build -trimpath -o "$bin/pulumi-language-yaml" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml)
    echo "tools: building pulumi-language-nodejs from sdk/v3@$PULUMI_LANGHOST_SDK_VERSION"
    (cd "$repo/tools/langhost-build" &&
        go build -trimpath -ldflags "-X $version_pkg=$PULUMI_LANGHOST_SDK_VERSION" \
            -o "$bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs)
fi
echo "tools: building pulumi-azure-peering-sdkgen (Node.js SDK generator, pkg/v3 of the pinned CLI)"
(cd "$repo/tools/sdkgen" && go build -trimpath -o "$bin/pulumi-azure-peering-sdkgen" .)
echo "$want_stamp" > "$stamp"
echo "tools: language hosts and SDK generator ready in $(( $(date +%s) - start ))s"
