"""The alerting rules (docker/prometheus/rules/) are valid and each fires on its pattern
and not on its near miss, by Debian's `promtool` (installed with Prometheus by
scripts/install_e2e.sh): tests/prometheus/screening.rules.test.yml."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.services import REPO

pytestmark = pytest.mark.integration
RULES = REPO / "docker/prometheus/rules/screening.rules.yml"
TESTS = REPO / "tests/prometheus/screening.rules.test.yml"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    assert tool, "promtool missing: run scripts/install_e2e.sh (Debian's prometheus package)"
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=120,
                          cwd=REPO)


def test_the_rules_are_valid_and_the_config_loads_them() -> None:
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 6 rules found" in checked.stdout
    config = promtool("check", "config", str(REPO / "docker/prometheus/prometheus.yml"))
    assert config.returncode == 0, config.stdout + config.stderr
    assert "rules/screening.rules.yml" in config.stdout + config.stderr


def test_every_rule_fires_on_its_pattern_and_not_on_its_near_miss() -> None:
    tested = promtool("test", "rules", str(TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr
    text = TESTS.read_text()
    for rule in ("ScreeningWorkerDown", "ScreeningConsumerLagRising",
                 "ScreeningUnverifiedShareHigh", "ScreeningWatchlistsStale",
                 "ScreeningTerminalSilent", "ScreeningCriticalAlertsEscalated"):
        assert f"alertname: {rule}" in text, f"{rule} has no test"
