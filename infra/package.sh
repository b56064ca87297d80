#!/usr/bin/env bash
# Builds the deployable Functions package: host.json, one folder per function with its function.json, and the
# self-contained linux-x64 handler under app/ with its executable bit kept (Info-ZIP stores Unix modes).
# Usage: infra/package.sh [output.zip]   (default: artifacts/recsys-functions.zip)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/artifacts/recsys-functions.zip}")
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

dotnet publish "$root/functions/Recsys.Functions/Recsys.Functions.csproj" -c Release -r linux-x64 --self-contained \
  -p:DebugType=none -o "$stage/app" --nologo -v quiet
cp "$root/host.json" "$stage/"
for definition in "$root"/functions/*/function.json; do
  name=$(basename "$(dirname "$definition")")
  mkdir -p "$stage/$name"
  cp "$definition" "$stage/$name/function.json"
done
chmod 0755 "$stage/app/Recsys.Functions"

mkdir -p "$(dirname "$out")"
rm -f "$out"
(cd "$stage" && zip -q -r -X "$out" .)
echo "$out"
