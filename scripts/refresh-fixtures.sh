#!/usr/bin/env bash
# Copies the shared development data into test/fixtures/, so that `npm test` needs nothing beside the clone.
# Run it after ../shared/vignettes/dev.json or ../shared/phrases/dev.json changes, then commit the copies.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${1:-$root/../shared}"
cp "$shared/vignettes/dev.json" "$root/test/fixtures/vignettes-dev.json"
cp "$shared/phrases/dev.json" "$root/test/fixtures/phrases-dev.json"
echo "fixtures refreshed from $shared"
