#!/usr/bin/env bash
# Builds the deployable Functions package: the `dotnet publish` output of functions/Recsys.Functions (framework-
# dependent, linux-x64; the dotnet-isolated 10.0 stack brings .NET), zipped with the app folder at the zip's root.
# The Worker SDK generates everything the Functions host reads: functions.metadata (every function and its bindings;
# there is no hand-written function.json), worker.config.json (how to start the worker), extensions.json and
# .azurefunctions/ (the host-side binding extensions); host.json is copied from the repository root.
# Usage: infra/package.sh [output.zip]   (default: artifacts/recsys-functions.zip); prints the zip's path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/artifacts/recsys-functions.zip}")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# No apphost (worker.config.json starts `dotnet Recsys.Functions.dll`), no symbols or XML docs: a smaller package.
# No build servers: nothing of the build outlives the script (it also runs inside the tests).
dotnet publish "$root/functions/Recsys.Functions/Recsys.Functions.csproj" -c Release -r linux-x64 --self-contained false \
  -p:UseAppHost=false -p:DebugType=none -p:PublishDocumentationFile=false -p:PublishReferencesDocumentationFiles=false \
  --disable-build-servers -o "$stage" --nologo -v quiet >&2

for required in host.json functions.metadata worker.config.json extensions.json Recsys.Functions.dll .azurefunctions; do
  [ -e "$stage/$required" ] || { echo "package.sh: the publish output has no $required" >&2; exit 1; }
done

mkdir -p "$(dirname "$out")"
rm -f "$out"
(cd "$stage" && zip -q -r -X "$out" .)
echo "$out"
