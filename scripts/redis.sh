#!/usr/bin/env bash
# A standalone Redis and a 3-master Redis Cluster on loopback, no persistence. Sourced
# by scripts/services.sh (which provides log/die/port_open/live_pid/stop_pidfile); run
# directly it forwards to it: scripts/redis.sh up|down|status [--wipe] [redis|cluster].
#
# State lives in .local/redis/<port>/ and .local/redis-cluster/<port>/ (pid file, log,
# and for the cluster nodes-<port>.conf, which lets a restarted node rejoin).

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    args=("${@:-status}")
    [[ " $* " == *" redis "* || " $* " == *" cluster "* ]] || args+=(redis cluster)
    exec "$(dirname "$0")/services.sh" "${args[@]}"
fi

REDIS_PORT="${REDIS_PORT:-6379}"
REDIS_CLUSTER_PORTS="${REDIS_CLUSTER_PORTS:-7001 7002 7003}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"
CLUSTER_START_TIMEOUT="${CLUSTER_START_TIMEOUT:-30}"

# TLS port of the standalone Redis (the plain port requires a user and password too).
REDIS_TLS_PORT="${REDIS_TLS_PORT:-6380}"
SECRETS="${SCREENING_SECRETS_DIR:-$LOCAL/secrets}"
REDIS_ACL_FILE="$SECRETS/redis-users.acl"

# redis-cli as the admin ACL user (the default user is off).
# The Redis Cluster's nodes speak TLS only (clients and the cluster bus).
redis_tls_port() { [[ " $REDIS_CLUSTER_PORTS " == *" $1 "* ]]; }

redis_cli() {
    local port="$1" tls=()
    shift
    redis_tls_port "$port" && tls=(--tls --cacert "$SECRETS/ca.crt")
    if [[ -s "$SECRETS/redis/admin.password" ]]; then
        # The password through the environment, not the command line (`ps` shows that).
        REDISCLI_AUTH="$(cat "$SECRETS/redis/admin.password")" \
            redis-cli -h 127.0.0.1 -p "$port" "${tls[@]}" --user admin "$@"
    else
        redis-cli -h 127.0.0.1 -p "$port" "${tls[@]}" "$@"
    fi
}

# Makes the secrets (and the ACL file) before a Redis starts; idempotent. Run even when
# the ACL file exists: it rewrites the file when the users' rights changed in the code
# (security/redis_users.py), and redis_start has a running server load it.
redis_secrets() {
    if [[ ! -x "$ROOT/.venv/bin/screening" ]]; then
        [[ -s "$REDIS_ACL_FILE" ]] && return 0
        die "the venv is missing: run scripts/install.sh first"
    fi
    SCREENING_SECRETS_DIR="$SECRETS" "$ROOT/.venv/bin/screening" security init --offline >&2 ||
        die "redis: screening security init --offline failed"
}

# ACL users from the secrets folder; TLS beside the plain port for the standalone server.
redis_security_args() {
    REDIS_SEC_ARGS=(--aclfile "$REDIS_ACL_FILE")
}
redis_pong() { [[ "$(redis_cli "$1" ping 2>/dev/null)" == PONG ]]; }

# Starts one daemonized redis-server on $1 in directory $2 with extra arguments, and
# waits for PONG. Reuses a server that already answers.
redis_start() {
    local port="$1" dir="$2" name="$3" t0 i
    shift 3
    t0="$(now)"
    if redis_pong "$port"; then
        if live_pid "$dir/redis.pid" "redis-server" >/dev/null; then
            log "$name: already up on 127.0.0.1:$port (started here)"
            # The ACL file as it is now (users' rights may have changed since the start).
            [[ "$(redis_cli "$port" acl load 2>&1)" == OK ]] ||
                log "$name: could not reload $REDIS_ACL_FILE (ACL LOAD); restart it to apply it"
        else
            log "$name: 127.0.0.1:$port already answers (not started by this project); reusing it"
        fi
        return 0
    fi
    port_open "$port" && die "$name: port $port is taken by something that does not answer PING with the admin password in $SECRETS"
    need redis-server
    mkdir -p "$dir"
    chmod 700 "$dir"  # logs and any dump: this user's only
    # No snapshots and no AOF: the lists are reloaded from files, and tests want a clean slate.
    # Hash values up to 128 bytes stay in listpacks: the compact layouts' records (a stolen
    # vehicle's body, say) would otherwise turn their buckets into hash tables.
    redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" \
        --hash-max-listpack-value 128 --save '' --appendonly no "$@" </dev/null 9>&- ||
        { show_tail "$dir/redis.log"; die "$name: redis-server did not start"; }
    for ((i = 0; i < REDIS_START_TIMEOUT * 10; i++)); do
        if redis_pong "$port"; then
            log "$name: up on 127.0.0.1:$port ($(since "$t0")s, log $dir/redis.log)"
            return 0
        fi
        sleep 0.1
    done
    show_tail "$dir/redis.log"
    die "$name: no PONG from 127.0.0.1:$port after ${REDIS_START_TIMEOUT}s"
}

redis_up() {
    need redis-cli
    redis_secrets
    redis_security_args
    redis_start "$REDIS_PORT" "$LOCAL/redis/$REDIS_PORT" "redis" "${REDIS_SEC_ARGS[@]}" \
        --tls-port "$REDIS_TLS_PORT" --tls-cert-file "$SECRETS/redis.crt" \
        --tls-key-file "$SECRETS/redis.key" --tls-ca-cert-file "$SECRETS/ca.crt" \
        --tls-auth-clients no
}

redis_down() {
    local wipe="$1" dir="$LOCAL/redis/$REDIS_PORT"
    stop_pidfile "$dir/redis.pid" "redis-server" "redis 127.0.0.1:$REDIS_PORT" 15
    if ((wipe)); then
        rm -rf "$dir"
        log "redis: wiped $dir"
    fi
}

redis_status() {
    local dir="$LOCAL/redis/$REDIS_PORT" pid
    if redis_pong "$REDIS_PORT"; then
        if pid="$(live_pid "$dir/redis.pid" "redis-server")"; then
            echo "redis    127.0.0.1:$REDIS_PORT  up    (pid $pid, started here; log $dir/redis.log)"
        else
            echo "redis    127.0.0.1:$REDIS_PORT  up    (not started by this project)"
        fi
        return 0
    fi
    echo "redis    127.0.0.1:$REDIS_PORT  down"
    return 1
}

# --- Redis Cluster ----------------------------------------------------------------

# Value of field $2 in CLUSTER INFO of the node on port $1.
cluster_field() {
    redis_cli "$1" cluster info 2>/dev/null | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'
}

# True when every node answers, sees all the others and says cluster_state:ok.
cluster_ok() {
    local port n
    n="$(wc -w <<<"$REDIS_CLUSTER_PORTS")"
    for port in $REDIS_CLUSTER_PORTS; do
        [[ "$(cluster_field "$port" cluster_state)" == ok ]] || return 1
        [[ "$(cluster_field "$port" cluster_known_nodes)" == "$n" ]] || return 1
    done
}

cluster_wait_ok() {
    local seconds="$1" i
    for ((i = 0; i < seconds * 5; i++)); do
        cluster_ok && return 0
        sleep 0.2
    done
    return 1
}

# True when no node has slots or knows another node: a cluster never created.
cluster_blank() {
    local port
    for port in $REDIS_CLUSTER_PORTS; do
        [[ "$(cluster_field "$port" cluster_slots_assigned)" == 0 ]] || return 1
        [[ "$(cluster_field "$port" cluster_known_nodes)" == 1 ]] || return 1
    done
}

cluster_create() {
    local port addrs=()
    for port in $REDIS_CLUSTER_PORTS; do addrs+=("127.0.0.1:$port"); done
    REDISCLI_AUTH="$(cat "$SECRETS/redis/admin.password")" \
        redis-cli --tls --cacert "$SECRETS/ca.crt" --user admin --cluster create "${addrs[@]}" --cluster-replicas 0 --cluster-yes </dev/null \
        >"$LOCAL/redis-cluster/create.log" 2>&1 ||
        { show_tail "$LOCAL/redis-cluster/create.log"; die "cluster: redis-cli --cluster create failed"; }
}

cluster_up() {
    local port t0 ours=1 dir
    need redis-cli
    redis_secrets
    redis_security_args
    t0="$(now)"
    if cluster_ok; then
        log "cluster: already up on ${REDIS_CLUSTER_PORTS// /, } (cluster_state:ok)"
        return 0
    fi
    for port in $REDIS_CLUSTER_PORTS; do
        dir="$LOCAL/redis-cluster/$port"
        redis_pong "$port" && ! live_pid "$dir/redis.pid" "redis-server" >/dev/null && ours=0
        # A short node timeout: a restarted node is seen again within seconds.
        redis_start "$port" "$dir" "cluster node" "${REDIS_SEC_ARGS[@]}" \
            --port 0 --tls-port "$port" --tls-cluster yes \
            --tls-cert-file "$SECRETS/redis.crt" --tls-key-file "$SECRETS/redis.key" \
            --tls-ca-cert-file "$SECRETS/ca.crt" --tls-auth-clients no \
            --cluster-enabled yes --cluster-config-file "nodes-$port.conf" \
            --cluster-node-timeout 5000
        [[ "$(redis_cli "$port" info cluster 2>/dev/null | tr -d '\r')" == *cluster_enabled:1* ]] ||
            die "cluster: the Redis on port $port is not in cluster mode; set REDIS_CLUSTER_PORTS"
    done
    if cluster_blank; then
        log "cluster: creating from ${REDIS_CLUSTER_PORTS// /, }"
        cluster_create
    elif ! cluster_wait_ok 15; then
        # Nodes restarted from an old nodes.conf that no longer agree (e.g. one was
        # wiped): start over, but only with nodes this project owns.
        ((ours)) || die "cluster: nodes on ${REDIS_CLUSTER_PORTS// /, } do not form a healthy cluster and were not started here"
        log "cluster: nodes disagree; resetting and creating again"
        for port in $REDIS_CLUSTER_PORTS; do
            redis_cli "$port" flushall >/dev/null 2>&1 || true
            redis_cli "$port" cluster reset hard >/dev/null
        done
        cluster_create
    fi
    if ! cluster_wait_ok "$CLUSTER_START_TIMEOUT"; then
        for port in $REDIS_CLUSTER_PORTS; do
            echo "--- 127.0.0.1:$port" >&2
            redis_cli "$port" cluster info 2>&1 | head -n 7 >&2 || true
        done
        die "cluster: cluster_state is not ok after ${CLUSTER_START_TIMEOUT}s"
    fi
    log "cluster: up on ${REDIS_CLUSTER_PORTS// /, } (cluster_state:ok, $(since "$t0")s)"
}

cluster_down() {
    local wipe="$1" port
    for port in $REDIS_CLUSTER_PORTS; do
        stop_pidfile "$LOCAL/redis-cluster/$port/redis.pid" "redis-server" "cluster node 127.0.0.1:$port" 15
        if ((wipe)); then rm -rf "$LOCAL/redis-cluster/$port"; fi
    done
    if ((wipe)); then
        rm -f "$LOCAL/redis-cluster/create.log"
        log "cluster: wiped $LOCAL/redis-cluster"
    fi
}

cluster_status() {
    local port state
    if cluster_ok; then
        echo "cluster  127.0.0.1:{${REDIS_CLUSTER_PORTS// /,}}  up    (cluster_state:ok)"
        return 0
    fi
    for port in $REDIS_CLUSTER_PORTS; do
        if redis_pong "$port"; then
            state="$(cluster_field "$port" cluster_state)"
            echo "cluster  127.0.0.1:$port  node up, cluster_state:${state:-?}"
        else
            echo "cluster  127.0.0.1:$port  down"
        fi
    done
    return 1
}
