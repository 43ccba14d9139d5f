#!/usr/bin/env bash
# The scale-out topology and its fault drills (test/cluster/): 2 API and 2 worker processes behind
# HAProxy, on a private Redis and MariaDB (started and stopped by the drills; the machine's own are
# never touched) and the S3 server through a cuttable proxy. Runs one file at a time: each starts
# its own cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/setup.sh
if [ -z "${TEST_S3_ENDPOINT:-}" ]; then bash scripts/start-rgw.sh; fi
npm run --silent build
files=$(find dist/test/cluster -name '*.test.js' | sort)
exec node --test --test-concurrency=1 --test-timeout=900000 $files
