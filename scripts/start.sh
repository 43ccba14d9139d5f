#!/usr/bin/env bash
# Runs the platform locally: builds, applies migrations, then the API and one worker.
# Ctrl-C (or SIGTERM) stops both gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run --silent build
export MIGRATE_ON_START=${MIGRATE_ON_START:-true}
node dist/src/db/migrate.js
node dist/src/worker.js &
worker=$!
node dist/src/main.js &
api=$!
trap 'kill -TERM $api $worker 2>/dev/null; wait $api $worker' INT TERM
wait -n $api $worker
status=$?
kill -TERM $api $worker 2>/dev/null || true
wait || true
exit $status
