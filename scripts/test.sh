#!/usr/bin/env bash
# The whole suite against real services: MariaDB/MySQL and Redis (expected running, see README),
# an S3 server (Ceph RGW, started here if no S3 answers), ffmpeg, and Chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
SETUP_BROWSER=1 bash scripts/setup.sh   # ffmpeg, Ceph RGW, Chromium (idempotent, quick when present)
if [ -z "${TEST_S3_ENDPOINT:-}" ]; then bash scripts/start-rgw.sh; fi
npm run --silent build
# The cluster and its fault drills run on their own: npm run test:faults.
files=$(find dist/test -name '*.test.js' -not -path 'dist/test/cluster/*' | sort)
exec node --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=600000 $files
