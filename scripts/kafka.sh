#!/usr/bin/env bash
# Single-node KRaft Kafka (broker and controller in one JVM) from the Maven Central jars
# that scripts/install.sh resolves with docker/kafka/pom.xml. Sourced by
# scripts/services.sh, which provides log/die/port_open/live_pid/stop_pidfile;
# run directly it forwards to it: scripts/kafka.sh up|down|status [--wipe].
#
# State lives in .local/kafka/<port>/: server.properties (from
# docker/kafka/server.properties.template), data/, kafka.log, kafka.pid.

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    exec "$(dirname "$0")/services.sh" "${@:-status}" kafka
fi

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_LIBS="${KAFKA_LIBS:-$LOCAL/kafka-libs}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1g -Xms256m}"
# G1 with short pauses, as Kafka's own kafka-run-class.sh sets them.
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
# sasl_ssl (default: SCRAM over TLS, ACLs) or plaintext (the benchmark's comparison
# broker only, on a port of its own).
KAFKA_SECURITY="${KAFKA_SECURITY:-sasl_ssl}"
SECRETS="${SCREENING_SECRETS_DIR:-$LOCAL/secrets}"

kafka_dir() { echo "$LOCAL/kafka/$KAFKA_PORT"; }
kafka_addr() { echo "127.0.0.1:$KAFKA_PORT"; }

# True when a Kafka broker on the port answers a metadata request and lists a broker:
# an open port alone is not enough (the listener opens before the broker is usable).
# kcat with a librdkafka that speaks SCRAM to Kafka 4 (scripts/install.sh's wrapper).
KCAT="$ROOT/.venv/bin/kcat"
[[ -x "$KCAT" ]] || KCAT=kcat

kafka_ready() {
    if command -v "$KCAT" >/dev/null 2>&1; then
        "$KCAT" -b "$(kafka_addr)" "${KCAT_AUTH[@]}" -L -m 3 2>/dev/null | grep -q ' brokers:' 2>/dev/null
    elif [[ -x "$ROOT/.venv/bin/python" ]]; then
        "$ROOT/.venv/bin/python" - "$(kafka_addr)" <<'PY' 2>/dev/null
import asyncio
import sys

from aiokafka import AIOKafkaClient


async def main() -> int:
    client = AIOKafkaClient(bootstrap_servers=sys.argv[1], request_timeout_ms=3000)
    try:
        await client.bootstrap()
        metadata = await client.fetch_all_metadata()
        return 0 if metadata.brokers() else 1
    finally:
        await client.close()


sys.exit(asyncio.run(main()))
PY
    else
        die "neither kcat nor the project's venv is there to check Kafka: run scripts/install.sh"
    fi
}

kafka_java() {
    # shellcheck disable=SC2086  # the option strings are word lists on purpose
    java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS -cp "$KAFKA_LIBS/*" \
        -Dlog4j2.configurationFile="$ROOT/docker/kafka/log4j2.properties" "$@"
}

# kcat's connection options for the admin principal (secured broker), or none.
KCAT_AUTH=()
kafka_auth_init() {
    KCAT_AUTH=()
    [[ "$KAFKA_SECURITY" == sasl_ssl ]] || return 0
    [[ -s "$SECRETS/kafka/admin.password" ]] || return 0
    # A 0600 properties file, not -X on the command line (`ps` shows that to every user).
    local props="$SECRETS/kcat-admin.properties"
    (
        umask 077
        printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanisms=SCRAM-SHA-512" \
            "sasl.username=admin" "sasl.password=$(cat "$SECRETS/kafka/admin.password")" \
            "ssl.ca.location=$SECRETS/ca.crt" >"$props"
    )
    KCAT_AUTH=(-F "$props")
}

# The project's CLI as the scripts run it (the venv that scripts/install.sh made).
screening_cli() {
    [[ -x "$ROOT/.venv/bin/screening" ]] || die "the venv is missing: run scripts/install.sh (or make install) first"
    SCREENING_SECRETS_DIR="$SECRETS" "$ROOT/.venv/bin/screening" "$@"
}

kafka_write_properties() {
    local dir props template
    dir="$(kafka_dir)"
    props="$dir/server.properties"
    if [[ "$KAFKA_SECURITY" == plaintext ]]; then
        template="$ROOT/docker/kafka/server.plaintext.properties.template"
    else
        template="$ROOT/docker/kafka/server.properties.template"
    fi
    [[ -f "$template" ]] || die "missing $template"
    (
        umask 077  # the copy holds the keystore password and the broker's SCRAM password
        sed -e "s|@PORT@|$KAFKA_PORT|g" \
            -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
            -e "s|@LOG_DIRS@|$dir/data|g" \
            -e "s|@KEYSTORE@|$SECRETS/kafka-node.p12|g" \
            -e "s|@CA_FILE@|$SECRETS/ca.crt|g" \
            -e "s|@KEYSTORE_PASSWORD@|$(cat "$SECRETS/kafka-node.p12.password" 2>/dev/null)|g" \
            -e "s|@ADMIN_PASSWORD@|$(cat "$SECRETS/kafka/admin.password" 2>/dev/null)|g" \
            "$template" >"$props.tmp"
    )
    mv "$props.tmp" "$props"
}

# Formats the storage once; a formatted log dir keeps its cluster id across restarts.
kafka_format() {
    local dir id
    dir="$(kafka_dir)"
    if [[ -f "$dir/data/meta.properties" ]]; then
        [[ "$(cat "$dir/security" 2>/dev/null)" == "$KAFKA_SECURITY" ]] && return 0
        # Formatted before security came (or the other way round): development data only.
        log "kafka: $dir/data was formatted for another security mode; wiping it"
        rm -rf "$dir/data"
        mkdir -p "$dir/data"
    fi
    local scram=()
    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        # KIP-900: the admin's SCRAM credential exists before first start, so the broker
        # can authenticate to itself; `screening security init` adds the other principals.
        scram=(--add-scram "SCRAM-SHA-512=[name=\"admin\",password=\"$(cat "$SECRETS/kafka/admin.password")\"]")
    fi
    id="$(KAFKA_HEAP_OPTS="-Xmx256m" kafka_java kafka.tools.StorageTool random-uuid 2>>"$dir/format.log" | tail -n 1)"
    [[ "$id" =~ ^[A-Za-z0-9_-]{22}$ ]] || { show_tail "$dir/format.log"; die "kafka: StorageTool random-uuid failed"; }
    # Static voters (controller.quorum.voters) are formatted without --standalone.
    if ! KAFKA_HEAP_OPTS="-Xmx256m" kafka_java kafka.tools.StorageTool format \
        -t "$id" -c "$dir/server.properties" "${scram[@]}" >>"$dir/format.log" 2>&1; then
        show_tail "$dir/format.log"
        die "kafka: formatting $dir/data failed"
    fi
    echo "$id" >"$dir/cluster.id"
    echo "$KAFKA_SECURITY" >"$dir/security"
    log "kafka: formatted $dir/data (cluster id $id)"
}

kafka_up() {
    local dir pidfile pid t0 i
    dir="$(kafka_dir)"
    pidfile="$dir/kafka.pid"
    t0="$(now)"

    if [[ "$KAFKA_SECURITY" == sasl_ssl ]]; then
        # The CA, certificates and passwords, made once (idempotent).
        screening_cli security init --offline >&2 || die "kafka: screening security init --offline failed"
    fi
    kafka_auth_init
    if pid="$(live_pid "$pidfile" "kafka.Kafka")"; then
        log "kafka: already started here (pid $pid); waiting until it answers"
    elif kafka_ready; then
        log "kafka: $(kafka_addr) already answers (not started by this project); reusing it"
        kafka_provision
        return 0
    elif port_open "$KAFKA_PORT"; then
        die "kafka: port $KAFKA_PORT is taken by something that is not a Kafka broker; set KAFKA_PORT"
    elif port_open "$KAFKA_CONTROLLER_PORT"; then
        die "kafka: controller port $KAFKA_CONTROLLER_PORT is taken; set KAFKA_CONTROLLER_PORT"
    else
        need java
        compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null ||
            die "kafka: jars missing in $KAFKA_LIBS: run scripts/install.sh (or make install) first"
        mkdir -p "$dir/data"
        # The topics' data hold scans and alerts: readable by this user only, on disk as
        # on the wire (the ACLs do not guard files).
        chmod 700 "$dir"
        kafka_write_properties
        kafka_format
        [[ -f "$dir/kafka.log" ]] && mv -f "$dir/kafka.log" "$dir/kafka.log.1"
        log "kafka: starting on $(kafka_addr) (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT), log $dir/kafka.log"
        # setsid: its own session, so Ctrl-C in the calling terminal or make does not reach it.
        # shellcheck disable=SC2206  # the option strings are word lists on purpose
        local cmd=(java $KAFKA_HEAP_OPTS $KAFKA_JVM_OPTS -cp "$KAFKA_LIBS/*"
            -Dlog4j2.configurationFile="$ROOT/docker/kafka/log4j2.properties"
            kafka.Kafka "$dir/server.properties")
        # 9>&-: the daemon must not inherit (and so hold) services.sh's lock.
        (cd "$dir" && exec setsid "${cmd[@]}" </dev/null >>"$dir/kafka.log" 2>&1 9>&-) &
        echo $! >"$pidfile"
        pid="$(cat "$pidfile")"
    fi

    for ((i = 0; i < KAFKA_START_TIMEOUT * 2; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$pidfile"
            show_tail "$dir/kafka.log"
            die "kafka: the broker exited during start-up (log above)"
        fi
        if kafka_ready; then
            log "kafka: up on $(kafka_addr) ($KAFKA_SECURITY, pid $pid, $(since "$t0")s)"
            kafka_provision
            return 0
        fi
        sleep 0.5
    done
    show_tail "$dir/kafka.log"
    die "kafka: no metadata from $(kafka_addr) after ${KAFKA_START_TIMEOUT}s (still running as pid $pid; scripts/services.sh down kafka stops it)"
}

# Principals, topics and ACLs of the deployment (idempotent; admin over SASL_SSL).
kafka_provision() {
    [[ "$KAFKA_SECURITY" == sasl_ssl ]] || return 0
    SCREENING_BROKER="kafka://$(kafka_addr)" screening_cli security init >&2 ||
        die "kafka: screening security init failed"
}

kafka_down() {
    local wipe="$1" dir
    dir="$(kafka_dir)"
    # A controlled shutdown of a single node takes a few seconds; allow 30.
    stop_pidfile "$dir/kafka.pid" "kafka.Kafka" "kafka $(kafka_addr)" 30
    if ((wipe)); then
        if live_pid "$dir/kafka.pid" "kafka.Kafka" >/dev/null; then
            die "kafka: still running, data not wiped"
        fi
        rm -rf "$dir"
        log "kafka: wiped $dir"
    fi
}

kafka_status() {
    local dir pid
    dir="$(kafka_dir)"
    kafka_auth_init
    if kafka_ready; then
        if pid="$(live_pid "$dir/kafka.pid" "kafka.Kafka")"; then
            echo "kafka    $(kafka_addr)  up    (pid $pid, started here; log $dir/kafka.log)"
        else
            echo "kafka    $(kafka_addr)  up    (not started by this project)"
        fi
        return 0
    fi
    if pid="$(live_pid "$dir/kafka.pid" "kafka.Kafka")"; then
        echo "kafka    $(kafka_addr)  starting or stuck (pid $pid; log $dir/kafka.log)"
    else
        echo "kafka    $(kafka_addr)  down"
    fi
    return 1
}
