#!/usr/bin/env bash
# Local Kafka and Redis for development and tests, without Docker.
#
#   scripts/services.sh up|down|status [--wipe] [kafka|redis|cluster|all]...
#
#   up      start what does not already answer on its port (what answers is reused);
#           returns only once each service really serves requests.
#   down    stop what this project started (found by its pid files): SIGTERM, wait,
#           then SIGKILL. Anything else answering on the port is left alone.
#           --wipe also deletes the service's data and logs under .local/.
#   status  say what answers; exits 0 when everything asked for is up, 3 otherwise.
#
# With no component, `all` (kafka, redis and the Redis Cluster). Ports come from the
# environment, so a second set can run beside the first (e.g. KAFKA_PORT=19092
# KAFKA_CONTROLLER_PORT=19093 scripts/services.sh up kafka):
#   KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), REDIS_PORT (6379),
#   REDIS_CLUSTER_PORTS ("7001 7002 7003"), KAFKA_HEAP_OPTS ("-Xmx1g -Xms256m"),
#   KAFKA_START_TIMEOUT (90 s), SCREENING_LOCAL_DIR (.local).
# Needs what scripts/install.sh installs: java, the Kafka jars, redis-server, kcat.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="${SCREENING_LOCAL_DIR:-$ROOT/.local}"

log() { printf '[services] %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

# Whole seconds since the epoch with a fraction, for timings.
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# Pid in pid file $1 when that process is alive and its command line contains $2
# (guards against a recycled pid after a reboot or a crash).
live_pid() {
    local pidfile="$1" pattern="$2" pid
    [[ -s "$pidfile" ]] || return 1
    pid="$(tr -dc '0-9' <"$pidfile")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
    echo "$pid"
}

# Stops the process of pid file $1 (matching $2): SIGTERM, up to $4 seconds, SIGKILL.
stop_pidfile() {
    local pidfile="$1" pattern="$2" name="$3" grace="${4:-30}" pid t0 i
    if ! pid="$(live_pid "$pidfile" "$pattern")"; then
        if [[ -e "$pidfile" ]]; then
            log "$name: stale pid file removed (process already gone)"
            rm -f "$pidfile"
        else
            log "$name: not started by this project (no pid file); nothing to stop"
        fi
        return 0
    fi
    t0="$(now)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name: still running after ${grace}s, sending SIGKILL to $pid"
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
    fi
    rm -f "$pidfile"
    log "$name: stopped (pid $pid, $(since "$t0")s)"
}

# Prints the last lines of a log file, to explain a failure.
show_tail() {
    local file="$1"
    [[ -f "$file" ]] || return 0
    printf -- '----- last lines of %s -----\n' "$file" >&2
    tail -n "${2:-40}" "$file" >&2
    printf -- '-----\n' >&2
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 not found: run scripts/install.sh (or make install) first"
}

# shellcheck source=scripts/kafka.sh
source "$ROOT/scripts/kafka.sh"
# shellcheck source=scripts/redis.sh
source "$ROOT/scripts/redis.sh"

usage() {
    sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

main() {
    local action="${1:-}" wipe=0 comps=() c
    [[ -n "$action" ]] || usage
    shift
    for c in "$@"; do
        case "$c" in
            --wipe) wipe=1 ;;
            kafka | redis | cluster) comps+=("$c") ;;
            all) comps+=(kafka redis cluster) ;;
            -h | --help) usage ;;
            *) die "unknown argument '$c' (expected kafka, redis, cluster, all or --wipe)" ;;
        esac
    done
    ((${#comps[@]})) || comps=(kafka redis cluster)

    mkdir -p "$LOCAL"
    # One `up` or `down` at a time: two concurrent starts would fight over a pid file.
    if [[ "$action" != status ]]; then
        exec 9>"$LOCAL/.services.lock"
        flock -w 300 9 || die "another scripts/services.sh is still running (lock $LOCAL/.services.lock)"
    fi

    local rc=0
    case "$action" in
        up)
            for c in "${comps[@]}"; do "${c}_up"; done
            ;;
        down)
            for c in "${comps[@]}"; do "${c}_down" "$wipe"; done
            ;;
        status)
            for c in "${comps[@]}"; do "${c}_status" || rc=3; done
            ;;
        *) usage ;;
    esac
    return "$rc"
}

main "$@"
