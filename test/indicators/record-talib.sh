#!/usr/bin/env bash
# Regenerates test/indicators/talib-reference.json.gz, the TA-Lib reference values the indicator tests compare
# against, from the TA-Lib C library (npm `talib`, a native addon compiled on install; not a dependency).
set -euo pipefail
cd "$(dirname "$0")/../.."
node -e "require('talib')" 2>/dev/null || npm install --no-save --no-audit --no-fund talib@1.1.6
rm -f test/indicators/talib-reference.json.gz
# One file after another: each merges its calls into the fixture when it finishes.
TALIB_RECORD=1 npx vitest run --no-file-parallelism test/indicators/reference.test.ts test/indicators/property.test.ts
ls -l test/indicators/talib-reference.json.gz
