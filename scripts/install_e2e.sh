#!/usr/bin/env bash
# What the browser tests (tests/e2e/) and the dashboard test (tests/integration/
# test_dashboards.py) need beyond scripts/install.sh, idempotent and quick when done:
#   - Debian's chromium (Playwright drives the system browser: its own browser download
#     cannot work on these machines) and Debian's prometheus server;
#   - the Python playwright package in .venv, when pyproject.toml does not bring it yet.
# Runs unattended (CI=true, no stdin). Set SKIP_APT=1 to never call apt-get.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

log() { printf '[install-e2e] %s\n' "$*" >&2; }
die() { printf '[install-e2e] ERROR: %s\n' "$*" >&2; exit 1; }

# --- Debian packages ---------------------------------------------------------------
apt_pkgs=()
[[ -x /usr/bin/chromium ]] || apt_pkgs+=(chromium)
command -v prometheus >/dev/null 2>&1 || apt_pkgs+=(prometheus)
# Arabic glyphs for the right-to-left screenshots; without them Chromium draws boxes.
[[ -e /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ]] ||
    compgen -G '/usr/share/fonts/truetype/noto/NotoNaskhArabic-*' >/dev/null ||
    apt_pkgs+=(fonts-noto-core)
if ((${#apt_pkgs[@]})); then
    [[ "${SKIP_APT:-0}" == 1 ]] && die "missing ${apt_pkgs[*]} and SKIP_APT=1: install them yourself"
    command -v apt-get >/dev/null 2>&1 || die "missing ${apt_pkgs[*]}, and no apt-get to install them with"
    as_root=()
    if [[ "$(id -u)" != 0 ]]; then
        command -v sudo >/dev/null 2>&1 || die "missing ${apt_pkgs[*]}: installing needs root (or sudo)"
        as_root=(sudo -n)
    fi
    log "installing ${apt_pkgs[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq </dev/null
    # prometheus's package would start a system service on :9090 where an init system
    # runs; the tests start their own server on a free port, so that is harmless.
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" </dev/null >/dev/null
    [[ -x /usr/bin/chromium ]] || die "chromium still missing after apt-get install"
    command -v prometheus >/dev/null 2>&1 || die "prometheus still missing after apt-get install"
fi

# --- Python playwright -------------------------------------------------------------
[[ -x "$VENV/bin/python" ]] || die "no venv at $VENV: run scripts/install.sh first"
if "$VENV/bin/python" -c 'import playwright' 2>/dev/null; then
    log "playwright already in the venv"
else
    log "pip install playwright into $VENV (the browser is Debian's chromium, never downloaded)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 "$VENV/bin/python" -m pip install -q \
        --disable-pip-version-check 'playwright>=1.45' </dev/null
fi

log "done: chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'), $(prometheus --version 2>&1 | head -1)"
