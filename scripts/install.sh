#!/usr/bin/env bash
# Everything the project needs on this machine, idempotent and quick when already done:
#   - the Python venv in .venv with the package installed editable, dev extras included
#     (skipped while pyproject.toml is unchanged: a stamp in .venv holds its sha256);
#   - the compiled core, native/ (Rust, built by maturin into an abi3 wheel and installed
#     into the venv; skipped while native/'s sources are unchanged);
#   - redis-server, redis-cli and kcat from Debian packages, when missing;
#   - the Kafka broker jars from Maven Central into .local/kafka-libs (skipped while
#     docker/kafka/pom.xml is unchanged).
# Needs python3 (3.11+), cargo (Rust), java (17+) and mvn; says which is missing. Runs unattended
# (CI=true, no stdin). Set SKIP_APT=1 to never call apt-get.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="${SCREENING_LOCAL_DIR:-$ROOT/.local}"
VENV="$ROOT/.venv"
KAFKA_LIBS="${KAFKA_LIBS:-$LOCAL/kafka-libs}"
PYTHON="${PYTHON:-python3}"

log() { printf '[install] %s\n' "$*" >&2; }
die() { printf '[install] ERROR: %s\n' "$*" >&2; exit 1; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

cd "$ROOT"

# --- what must already be there ----------------------------------------------------
missing=()
command -v "$PYTHON" >/dev/null 2>&1 || missing+=("$PYTHON (3.11 or newer)")
command -v cargo >/dev/null 2>&1 || missing+=("cargo (the Rust toolchain, 1.74 or newer; https://rustup.rs)")
command -v java >/dev/null 2>&1 || missing+=("java (17 or newer; Debian: apt-get install -y openjdk-17-jre-headless)")
command -v mvn >/dev/null 2>&1 || missing+=("mvn (Maven; Debian: apt-get install -y maven)")
if ((${#missing[@]})); then
    printf '[install] ERROR: missing on this machine:\n' >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 1
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "$PYTHON is $("$PYTHON" -V 2>&1); the project needs Python 3.11 or newer (set PYTHON=...)"
java_major="$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ { print $2 }')"
[[ "${java_major:-0}" =~ ^[0-9]+$ ]] && ((java_major >= 17)) ||
    die "java is version ${java_major:-unknown}; Kafka 4 needs Java 17 or newer"

# --- Debian packages ---------------------------------------------------------------
apt_pkgs=()
command -v redis-server >/dev/null 2>&1 || apt_pkgs+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || apt_pkgs+=(redis-tools)
command -v kcat >/dev/null 2>&1 || apt_pkgs+=(kcat)
if ((${#apt_pkgs[@]})); then
    if [[ "${SKIP_APT:-0}" == 1 ]]; then
        die "missing ${apt_pkgs[*]} and SKIP_APT=1: install them yourself"
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing ${apt_pkgs[*]}, and no apt-get to install them with"
    as_root=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "missing ${apt_pkgs[*]}: installing needs root (or sudo)"
        as_root=(sudo -n)
    fi
    log "installing ${apt_pkgs[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq </dev/null
    # The Debian redis-server package starts a system service on 6379 where an init
    # system runs; our scripts reuse whatever answers there, so that is harmless.
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" </dev/null >/dev/null
    for tool in redis-server redis-cli kcat; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool still missing after apt-get install"
    done
fi

# --- Python venv -------------------------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating $VENV"
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.screening-install.sha256"
want="$(sha pyproject.toml)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$VENV/bin/screening" ]]; then
    log "venv up to date (pyproject.toml unchanged)"
else
    log "pip install -e '.[dev]' into $VENV"
    t0=$SECONDS
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[dev]' </dev/null
    echo "$want" >"$stamp"
    log "venv ready ($((SECONDS - t0))s)"
fi

# --- the compiled core ----------------------------------------------------------------
# pip builds native/ with maturin (fetched into an isolated build environment) and
# cargo (crates from crates.io, as native/Cargo.lock pins them); a release build takes
# about a minute from scratch. screening imports it unconditionally.
native_sum() { (cd native && sha256sum Cargo.toml Cargo.lock pyproject.toml screening_native.pyi src/*.rs) | sha256sum | cut -d' ' -f1; }
stamp="$VENV/.screening-native.sha256"
want="$(native_sum)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && "$VENV/bin/python" -c 'import screening_native' 2>/dev/null; then
    log "compiled core up to date (native/ unchanged)"
else
    log "building and installing the compiled core (native/) into $VENV"
    t0=$SECONDS
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check ./native </dev/null
    echo "$want" >"$stamp"
    log "compiled core ready ($((SECONDS - t0))s)"
fi

# --- Kafka jars --------------------------------------------------------------------
pom="$ROOT/docker/kafka/pom.xml"
want="$(sha "$pom")"
if [[ -f "$KAFKA_LIBS/.pom.sha256" && "$(cat "$KAFKA_LIBS/.pom.sha256")" == "$want" ]] &&
    compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null; then
    log "Kafka jars up to date in $KAFKA_LIBS"
else
    log "resolving the Kafka jars with Maven into $KAFKA_LIBS"
    t0=$SECONDS
    tmp="$KAFKA_LIBS.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$(dirname "$KAFKA_LIBS")"
    # Into a fresh folder, swapped in at the end: a failed or older resolve never mixes
    # jar versions on the broker's class path.
    if ! mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime </dev/null; then
        rm -rf "$tmp"
        die "mvn could not resolve $pom (is Maven Central reachable?)"
    fi
    echo "$want" >"$tmp/.pom.sha256"
    rm -rf "$KAFKA_LIBS"
    mv "$tmp" "$KAFKA_LIBS"
    log "Kafka jars ready: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars ($((SECONDS - t0))s)"
fi

# --- kcat that speaks SCRAM to Kafka 4 -------------------------------------------------
# Debian 12's kcat links librdkafka 2.0.2, whose SCRAM final message Kafka 4 rejects
# (fixed in librdkafka 2.6.1). The confluent-kafka wheel ships a current librdkafka:
# kcat runs with it through a wrapper, `.venv/bin/kcat`, and for root also
# /usr/local/bin/kcat (ahead of /usr/bin on PATH), so `kcat -F` works as documented.
kcat_wrapper() {
    local target="$1" libdir="$2"
    mkdir -p "$(dirname "$target")"
    cat >"$target.tmp" <<WRAP
#!/bin/sh
# Written by screening's scripts/install.sh: Debian's kcat with a librdkafka that can
# authenticate to Kafka 4 with SCRAM (Debian 12's 2.0.2 cannot; fixed in 2.6.1).
LD_LIBRARY_PATH="$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}" exec /usr/bin/kcat "\$@"
WRAP
    chmod 755 "$target.tmp"
    mv "$target.tmp" "$target"
}
wheel_lib="$(compgen -G "$VENV/lib/python3*/site-packages/confluent_kafka.libs/librdkafka-*.so.1" | head -n 1 || true)"
if [[ -n "$wheel_lib" && -x /usr/bin/kcat ]]; then
    libdir="$LOCAL/librdkafka"
    mkdir -p "$libdir"
    cp -f "$wheel_lib" "$libdir/librdkafka.so.1"
    kcat_wrapper "$VENV/bin/kcat" "$libdir"
    if [[ "$(id -u)" == 0 && -w /usr/local/bin ]]; then
        mkdir -p /usr/local/lib/screening-librdkafka
        cp -f "$wheel_lib" /usr/local/lib/screening-librdkafka/librdkafka.so.1
        kcat_wrapper /usr/local/bin/kcat /usr/local/lib/screening-librdkafka
    fi
    log "kcat wrapper ready ($("$VENV/bin/kcat" -V 2>/dev/null | grep -o 'librdkafka [0-9.]*' | head -n 1))"
fi

log "done"
