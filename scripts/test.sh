#!/usr/bin/env bash
# The whole suite against real services: MariaDB/MySQL and Redis (expected running, see README),
# an S3 server (Ceph RGW, started here if no S3 answers), ffmpeg.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TEST_S3_ENDPOINT:-}" ]; then bash scripts/start-rgw.sh; fi
npm run --silent build
files=$(find dist/test -name '*.test.js' | sort)
exec node --test --test-concurrency="${TEST_CONCURRENCY:-2}" --test-timeout=600000 $files
