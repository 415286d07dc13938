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
say "starting Kafka (SASL_SSL, 127.0.0.1:9092) and Redis (ACL users; TLS on 6380)"
bash scripts/services.sh up kafka redis

export SCREENING_SECRETS_DIR="$ROOT/.local/secrets"
export SCREENING_APP_ID="${SCREENING_APP_ID:-screening-demo}"
export SCREENING_TOPIC_PREFIX="${SCREENING_TOPIC_PREFIX:-demo.}"
# Under the deployment prefix `scr`, the only keys the worker's Redis user may touch.
export SCREENING_REDIS_PREFIX="${SCREENING_REDIS_PREFIX:-scr-demo}"
export SCREENING_WEB_PORT="${SCREENING_WEB_PORT:-6066}"
export SCREENING_CONSOLE_PORT="${SCREENING_CONSOLE_PORT:-8080}"
# Critical alerts nobody acts on escalate after 60 s in deployment; sooner here, so that a
# one-minute demo shows some.
export SCREENING_ESCALATION_AFTER_S="${SCREENING_ESCALATION_AFTER_S:-20}"

# Each principal's SCREENING_* connection settings, as `screening security client-config
# PRINCIPAL --format env` prints them; `env "${AS_WORKER[@]}" CMD` runs CMD as `worker`
# (env execs CMD, so a background job's pid is the command's own).
creds() { "$BIN/screening" security client-config "$1" --format env; }

say "the demo's topics and ACLs (screening security init, as admin)"
"$BIN/screening" security init
mapfile -t AS_WORKER < <(creds worker)
mapfile -t AS_FEED < <(creds feed)
mapfile -t AS_SITE < <(creds site-default)
mapfile -t AS_CONSOLE < <(creds console)
mapfile -t AS_AUDITOR < <(creds auditor)

if [[ ! -s "$DEMO/lists/events.ndjson" ]]; then
    say "generating mock watchlists (100,000 SLTD, 20,000 notices, 50,000 stolen vehicles, 2,000 event-list records)"
    "$BIN/screening" watchlists generate --out "$DEMO/lists" --sltd 100000 --notices 20000 \
        --smv 50000 --events 2000 --seed 7
fi
say "signing the lists as the feed (Ed25519) and loading them into Redis as a new version"
env "${AS_FEED[@]}" "$BIN/screening" watchlists sign "$DEMO"/lists/*.ndjson
env "${AS_WORKER[@]}" "$BIN/screening" watchlists load "$DEMO"/lists/*.ndjson 2> >(grep -v '^ts=' >&2)

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

say "starting the worker (log: $DEMO/worker.log)"
env "${AS_WORKER[@]}" "$BIN/screening" worker >"$DEMO/worker.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$SCREENING_WEB_PORT/metrics" >/dev/null 2>&1 && break
    kill -0 "${pids[0]}" 2>/dev/null || { tail -30 "$DEMO/worker.log"; exit 1; }
    sleep 0.5
done
curl -sf "http://127.0.0.1:$SCREENING_WEB_PORT/metrics" >/dev/null ||
    { echo "worker did not come up"; tail -30 "$DEMO/worker.log"; exit 1; }
# The port may answer for another process (an earlier worker): ours must be alive.
sleep 1
kill -0 "${pids[0]}" 2>/dev/null || { echo "worker exited"; tail -30 "$DEMO/worker.log"; exit 1; }

EDGE_PORT="${DEMO_EDGE_PORT:-8443}"
EDGE_URL="https://127.0.0.1:$EDGE_PORT"
say "the site's edge: HTTPS for terminals without Kafka, answers from its signed snapshot when the link fails (log: $DEMO/edge.log)"
"$BIN/screening" security add-edge default 2>/dev/null
mapfile -t AS_EDGE < <(creds edge-default)
"$BIN/screening" security add-terminal default demo-kiosk-1 --checkpoint CP-EDGE-1 \
    >"$DEMO/edge-kiosk.token" 2>/dev/null
chmod 600 "$DEMO/edge-kiosk.token"
env "${AS_EDGE[@]}" SCREENING_EDGE_PORT="$EDGE_PORT" SCREENING_EDGE_SNAPSHOT_DIR="$DEMO/lists" \
    SCREENING_EDGE_DATA_DIR="$DEMO/edge" "$BIN/screening" edge >"$DEMO/edge.log" 2>&1 &
pids+=($!)
EDGE_PID=$!
for _ in $(seq 1 240); do
    curl -sf --cacert "$SCREENING_SECRETS_DIR/ca.crt" "$EDGE_URL/v1/health" >/dev/null 2>&1 && break
    kill -0 "$EDGE_PID" 2>/dev/null || { tail -30 "$DEMO/edge.log"; exit 1; }
    sleep 0.5
done

echo "  a kiosk posts 10 scans/s through the edge (answers counted, instructions shown in $DEMO/simulate-edge.log)"
env "${AS_SITE[@]}" "$BIN/screening" simulate --edge "$EDGE_URL" --token-file "$DEMO/edge-kiosk.token" \
    --lists "$DEMO"/lists/*.ndjson --rate 10 --duration "$SECONDS_TO_RUN" --hit-share 0.1 --show \
    >"$DEMO/simulate-edge.log" 2>&1 &
pids+=($!)
say "the console's work queue on http://127.0.0.1:$SCREENING_CONSOLE_PORT/ (users: duty, analyst; chief, supervisor)"
export SCREENING_CONSOLE_USERS_FILE="$DEMO/console-users"
for name in duty chief; do
    [[ -s "$DEMO/$name.password" ]] ||
        (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(12))' >"$DEMO/$name.password")
done
"$BIN/screening" console users add duty --role analyst --site '*' <"$DEMO/duty.password" >/dev/null
"$BIN/screening" console users add chief --role supervisor <"$DEMO/chief.password" >/dev/null
echo "  passwords: $DEMO/duty.password, $DEMO/chief.password"
SCREENING_CONSOLE_SESSION_SECRET="$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    env "${AS_CONSOLE[@]}" "$BIN/screening" console >"$DEMO/console.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$SCREENING_CONSOLE_PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.5
done

say "terminals (site-default) publish ${RATE} scans/s for ${SECONDS_TO_RUN}s (5% designed to hit, 1% a document shown again elsewhere, 3 travellers noticed late); the duty analyst works three alerts in four on the console"
echo "  alerts as analysts see them (alerts tail); 'gate|': an instruction reaching the terminal"
LATE="$DEMO/late-notices.ndjson"
rm -f "$LATE"
env "${AS_SITE[@]}" "$BIN/screening" simulate --lists "$DEMO"/lists/*.ndjson --rate "$RATE" --duration "$SECONDS_TO_RUN" --hit-share 0.05 \
    --correlation-share 0.01 --malformed-share 0.01 --late-notices "$LATE" --show --linger 8 2>"$DEMO/simulate.log" |
    tee "$DEMO/gates.log" | grep --line-buffered INSTRUCTION | sed -u 's/^/  gate| /' &
sim_pid=$!
pids+=($!)
# A list learns late of three travellers who already passed: their red notices go out
# as live updates a third of the way in, and the worker finds their earlier scans
# (alerts of kind `retroactive`, naming where and when each was scanned).
(sleep "$((SECONDS_TO_RUN / 3 + 2))"
 [[ -s "$LATE" ]] && env "${AS_FEED[@]}" "$BIN/screening" watchlists publish "$LATE" \
     >"$DEMO/late-notices.log" 2>&1) &
pids+=($!)
"$BIN/python" scripts/demo_analyst.py "http://127.0.0.1:$SCREENING_CONSOLE_PORT" duty \
    "$DEMO/duty.password" "$SECONDS_TO_RUN" >"$DEMO/analyst.log" 2>&1 &
pids+=($!)
# Critical confirmations need a second analyst (four eyes): the supervisor gives it.
"$BIN/python" scripts/demo_analyst.py "http://127.0.0.1:$SCREENING_CONSOLE_PORT" chief \
    "$DEMO/chief.password" "$SECONDS_TO_RUN" --second >"$DEMO/supervisor.log" 2>&1 &
pids+=($!)
env "${AS_CONSOLE[@]}" timeout "$((SECONDS_TO_RUN + 5))" "$BIN/screening" alerts tail || true
# the simulator's last screens (--linger 8) and its summary line
for _ in $(seq 30); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 1; done

say "the audit: every search is on ${SCREENING_TOPIC_PREFIX}screening.audit (keyed digests, no names or numbers); as the auditor:"
echo "  \$ screening audit query --from 10m --actor CP-01-T1   (as principal auditor)"
env "${AS_AUDITOR[@]}" "$BIN/screening" audit query --from 10m --actor CP-01-T1 2>/dev/null | tail -n 5 | sed 's/^/  /' || true

say "summary (from http://127.0.0.1:$SCREENING_WEB_PORT/metrics)"
curl -s "http://127.0.0.1:$SCREENING_WEB_PORT/metrics" |
    grep -E '^screening_(scans|hits|deadletters|alerts_escalated)_total' | sed 's/^/  /'
echo
echo "  instructions that reached the terminals: $(grep -c INSTRUCTION "$DEMO/gates.log" || true) (screens: $DEMO/gates.log)"
echo "  steps the duty analyst took: $(wc -l <"$DEMO/analyst.log") ($DEMO/analyst.log); second confirmations by the supervisor: $(wc -l <"$DEMO/supervisor.log")"
echo "  simulator: $(tail -1 "$DEMO/simulate.log")"
echo "  kiosk through the edge: $(tail -1 "$DEMO/simulate-edge.log")"
echo "  edge: $(curl -s --cacert "$SCREENING_SECRETS_DIR/ca.crt" "$EDGE_URL/v1/health")"
echo "  worker log: $DEMO/worker.log; metrics: http://127.0.0.1:$SCREENING_WEB_PORT/metrics"
echo "  services keep running: make services-down stops them"
