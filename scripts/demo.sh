#!/usr/bin/env bash
# `make demo`: install, start Kafka and Redis, generate and load mock watchlists, run the
# worker and simulated checkpoint terminals, and show alerts as analysts would see them.
#   DEMO_SECONDS (60)  how long the terminals publish and the alert tail runs
#   DEMO_RATE (200)    scans per second
# Services stay up afterwards (make services-down stops them); the worker stops with
# the demo. Logs: .local/demo/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEMO="$ROOT/.local/demo"
SECONDS_TO_RUN="${DEMO_SECONDS:-60}"
RATE="${DEMO_RATE:-200}"
BIN="$ROOT/.venv/bin"
mkdir -p "$DEMO"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "installing (idempotent)"
bash scripts/install.sh
say "starting Kafka (127.0.0.1:9092) and Redis (127.0.0.1:6379)"
bash scripts/services.sh up kafka redis

export SCREENING_APP_ID="${SCREENING_APP_ID:-screening-demo}"
export SCREENING_TOPIC_PREFIX="${SCREENING_TOPIC_PREFIX:-demo.}"
export SCREENING_REDIS_PREFIX="${SCREENING_REDIS_PREFIX:-demo}"
export SCREENING_WEB_PORT="${SCREENING_WEB_PORT:-6066}"

if [[ ! -s "$DEMO/lists/sltd.ndjson" ]]; then
    say "generating mock watchlists (100,000 SLTD, 20,000 notices, 50,000 stolen vehicles)"
    "$BIN/screening" watchlists generate --out "$DEMO/lists" --sltd 100000 --notices 20000 \
        --smv 50000 --seed 7
fi
say "loading the watchlists into Redis as a new version"
"$BIN/screening" watchlists load "$DEMO"/lists/*.ndjson 2> >(grep -v '^ts=' >&2)

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

say "starting the worker (log: $DEMO/worker.log)"
"$BIN/screening" worker >"$DEMO/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$SCREENING_WEB_PORT/metrics" >/dev/null 2>&1 && break
    kill -0 "${pids[0]}" 2>/dev/null || { tail -30 "$DEMO/worker.log"; exit 1; }
    sleep 0.5
done
curl -sf "http://127.0.0.1:$SCREENING_WEB_PORT/metrics" >/dev/null ||
    { echo "worker did not come up"; tail -30 "$DEMO/worker.log"; exit 1; }

say "terminals publish ${RATE} scans/s for ${SECONDS_TO_RUN}s (5% designed to hit); alerts:"
"$BIN/screening" simulate --rate "$RATE" --duration "$SECONDS_TO_RUN" --hit-share 0.05 \
    --malformed-share 0.01 >"$DEMO/simulate.log" 2>&1 &
pids+=($!)
timeout "$((SECONDS_TO_RUN + 5))" "$BIN/screening" alerts tail || true

say "summary (from http://127.0.0.1:$SCREENING_WEB_PORT/metrics)"
curl -s "http://127.0.0.1:$SCREENING_WEB_PORT/metrics" |
    grep -E '^screening_(scans|hits|deadletters)_total' | sed 's/^/  /'
echo
echo "  simulator: $(tail -1 "$DEMO/simulate.log")"
echo "  worker log: $DEMO/worker.log; metrics: http://127.0.0.1:$SCREENING_WEB_PORT/metrics"
echo "  services keep running: make services-down stops them"
