"""The dashboards against a real Prometheus scraping a real worker on loopback.

The repository's scrape configuration is used as it is, but for its target and scrape
interval; scans are driven through in two waves so counters must move; then every
PromQL expression of the Grafana dashboard is evaluated by that server and must parse
and return data. Needs Debian's prometheus package (scripts/install_e2e.sh).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from screening.metrics import Metrics
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening_bench.processes import end_process, free_port
from tests.support.feed import sign_files, signed
from tests.support.services import REPO, create_topics, env_for, screening_cmd

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCRAPE_CONFIG = REPO / "docker" / "prometheus" / "prometheus.yml"
DASHBOARDS = [REPO / "docker" / "grafana" / "dashboards" / name
              for name in ("screening.json", "room.json")]
# Grafana fills these in before Prometheus sees an expression. The window is wider than
# the whole test, so every rate covers all its samples.
GRAFANA_MACROS = {"$__rate_interval": "5m", "$site": ".*"}  # the wall's site selector: All
WAIT_S = 90.0

LISTS: dict[str, list[dict[str, Any]]] = {
    "sltd": [{"list": "sltd", "id": "S1", "document_number": "X1234567", "issuing_state": "UTO",
              "document_type": "P", "status": "stolen", "reported_at": "2026-01-05"},
             {"list": "sltd", "id": "S2", "document_number": "Y7654321", "issuing_state": "D",
              "document_type": "P", "status": "lost", "reported_at": "2026-02-01"}],
    "notice": [{"list": "notice", "id": "N1", "colour": "red",
                "names": [{"surname": "ERIKSSON", "given_names": "ANNA", "script": "Latn"}],
                "date_of_birth": "1974-08-12", "nationalities": ["UTO"], "sex": "F",
                "documents": [], "issued_at": "2025-06-01"}],
    "smv": [{"list": "smv", "id": "V1", "plate": "AB123CD", "plate_country": "F",
             "make": "Renault", "model": "Clio", "colour": "grey", "reported_at": "2026-03-01"}],
}


def dashboard_targets() -> list[tuple[str, str]]:
    """(panel title, PromQL) for every query of the dashboards: the engineers' and the
    operations room's wall."""
    return [(p["title"], t["expr"]) for path in DASHBOARDS
            for p in json.loads(path.read_text())["panels"] for t in p.get("targets", [])]


def as_prometheus_sees_it(expr: str) -> str:
    for macro, value in GRAFANA_MACROS.items():
        expr = expr.replace(macro, value)
    assert "$" not in expr, f"a Grafana variable this test does not fill in: {expr}"
    return expr


class PrometheusServer:
    """Debian's prometheus on a free loopback port, with its data in a temporary folder."""

    def __init__(self, config: Path, workdir: Path) -> None:
        self.port = free_port()
        self.log_path = workdir / "prometheus.log"
        self.args = ["prometheus", f"--config.file={config}",
                     f"--storage.tsdb.path={workdir / 'tsdb'}",
                     f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PrometheusServer:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(self.args, stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: self._get("/-/ready") is not None, "Prometheus ready", self)
        return self

    def _get(self, path: str) -> bytes | None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited:\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}",
                                        timeout=5) as resp:
                return bytes(resp.read())
        except OSError:
            return None

    def query(self, expr: str) -> dict[str, Any]:
        """The API's whole answer; a parse error comes back as status "error", not raised."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode(
            {"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return dict(json.loads(resp.read()))
        except urllib.error.HTTPError as exc:  # 400 / 422 carry the error as JSON
            return dict(json.loads(exc.read()))

    def value(self, expr: str) -> float | None:
        """The single value of a scalar-like query, None while there is none."""
        answer = self.query(expr)
        assert answer.get("status") == "success", f"{expr}: {answer.get('error')}"
        result = answer["data"]["result"]
        return float(result[0]["value"][1]) if result else None

    def log_tail(self, n: int = 40) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def stop(self) -> None:
        end_process(self.proc)


def wait_for(check: Callable[[], bool], what: str, server: PrometheusServer | None = None,
             timeout: float = WAIT_S) -> None:
    """Polls until `check` holds: the test waits for a state, it never times one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    tail = server.log_tail() if server is not None else ""
    raise AssertionError(f"never reached: {what}\n{tail}")


@pytest.fixture
def prometheus_factory(tmp_path: Path) -> Iterator[Callable[[Path], PrometheusServer]]:
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        pytest.fail("prometheus/promtool missing: run scripts/install_e2e.sh", pytrace=False)
    started: list[PrometheusServer] = []

    def make(config: Path) -> PrometheusServer:
        server = PrometheusServer(config, tmp_path).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def scrape_config_for(settings: Settings, out: Path) -> Path:
    """The repository's configuration, pointed at the test's worker and scraped each second."""
    text = SCRAPE_CONFIG.read_text()
    text, targets = re.subn(r'targets: \["127\.0\.0\.1:6066"\]',
                            f'targets: ["127.0.0.1:{settings.web_port}"]', text)
    text, intervals = re.subn(r"^  scrape_interval: \S+", "  scrape_interval: 1s", text,
                              flags=re.M)
    assert targets == 1 and intervals == 1, "prometheus.yml changed shape: adjust this test"
    out.write_text(text)
    for path in (SCRAPE_CONFIG, out):
        check = subprocess.run(["promtool", "check", "config", str(path)],
                               capture_output=True, text=True, timeout=60)
        assert check.returncode == 0, check.stdout + check.stderr
    return out


def load_lists(settings: Settings, folder: Path) -> None:
    folder.mkdir()
    paths = []
    for name, records in LISTS.items():
        path = folder / f"{name}.ndjson"
        path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
        paths.append(str(path))
    sign_files(paths)
    done = subprocess.run(screening_cmd("watchlists", "load", "--quiet", *paths),
                          env=env_for(settings), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def wave(n: int) -> list[tuple[str, bytes | None, bytes]]:
    """(topic setting, key, value): clear scans, a hit on each list, and unreadable input."""
    now = datetime.now(UTC).isoformat()
    out: list[tuple[str, bytes | None, bytes]] = []
    for i in range(n):
        base = {"event_id": f"dash-{uuid.uuid4().hex[:16]}", "checkpoint_id": "gate-A",
                "terminal_id": f"term-{i % 3}", "scanned_at": now}
        if i % 5 == 4:
            vehicle = {"plate": "AB123CD" if i % 10 == 4 else f"ZZ{i:05d}", "plate_country": "F"}
            out.append(("topic_vehicle", b"term", orjson.dumps(base | {"vehicle": vehicle})))
            continue
        number = "X1234567" if i % 10 == 1 else f"P{i:07d}"
        holder = ({"surname": "ERIKSSON", "given_names": "ANNA", "date_of_birth": "1974-08-12",
                   "nationality": "UTO", "sex": "F"} if i % 10 == 2 else
                  {"surname": f"TRAVELLER{i}", "given_names": "JO", "nationality": "UTO"})
        document = {"number": number, "issuing_state": "UTO", "type": "P"}
        out.append(("topic_traveller", b"term",
                    orjson.dumps(base | {"document": document, "holder": holder})))
    out.append(("topic_traveller", b"term", b"{not json"))
    update: dict[str, Any] = {"update_id": uuid.uuid4().hex, "op": "upsert", "issued_at": now,
              "record": {"list": "sltd", "id": f"S-{uuid.uuid4().hex[:6]}",
                         "document_number": f"U{uuid.uuid4().hex[:8].upper()}",
                         "issuing_state": "UTO", "status": "stolen"}}
    out.append(("topic_updates", f"sltd:{update['record']['id']}".encode(), signed(update)))
    # Steps on an alert, as the console writes them (the room's wall measures them).
    raised = (datetime.now(UTC) - timedelta(seconds=40)).isoformat()
    for step in ("acknowledged", "confirmed"):
        out.append(("topic_decisions", b"alert-1", orjson.dumps({
            "alert_id": "alert-1", "decision": step, "analyst": "ana", "role": "analyst",
            "decided_at": now, "note": "", "alert_raised_at": raised})))
    return out


async def publish(settings: Settings, messages: list[tuple[str, bytes | None, bytes]]) -> None:
    producer = AIOKafkaProducer(**aiokafka_options(settings), acks="all")
    await producer.start()
    try:
        for topic_setting, key, value in messages:
            await producer.send(settings.topic(getattr(settings, topic_setting)), value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


def test_dashboard_names_only_metrics_the_worker_exports() -> None:
    suffixes = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_sum", "_count"]}
    known = {family.name + suffix for family in Metrics.create().registry.collect()
             for suffix in suffixes[family.type]}
    used = {name for _, expr in dashboard_targets()
            for name in re.findall(r"\bscreening_\w+", expr)}
    assert used and used <= known, sorted(used - known)
    titles = " ".join(title.lower() for title, _ in dashboard_targets())
    for subject in ("scans", "hits", "decision latency", "dead letters", "consumer lag",
                    "watchlist records", "watchlist version", "update latency",
                    "escalations"):
        assert subject in titles, f"no panel about {subject}"


async def test_prometheus_scrapes_the_worker_and_every_dashboard_query_returns_data(
        settings: Settings, worker_factory: Any, prometheus_factory: Any, tmp_path: Path,
        redis_client: Any) -> None:
    load_lists(settings, tmp_path / "lists")
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    prom = prometheus_factory(scrape_config_for(settings, tmp_path / "prometheus.yml"))
    wait_for(lambda: prom.value('up{job="screening-worker"}') == 1.0, "worker scraped", prom)

    scans = 'sum(screening_scans_total{job="screening-worker"})'
    first, second = wave(60), wave(60)
    await publish(settings, first)
    wait_for(lambda: (prom.value(scans) or 0) >= 60, "first wave counted", prom)
    seen_first = prom.value(scans) or 0.0
    await publish(settings, second)
    wait_for(lambda: (prom.value(scans) or 0) >= seen_first + 60, "the counter moved", prom)

    for lst in ("sltd", "notice", "smv"):
        hits = prom.value(f'sum(screening_hits_total{{list="{lst}"}})')
        assert hits is not None and hits > 0, f"no {lst} hit counted\n{worker.log_tail()}"
    # The wall's site selector lists the sites of the terminals followed (label_values).
    wait_for(lambda: (prom.value('count(screening_terminal_last_scan_timestamp_seconds'
                                 '{site="default", checkpoint="gate-A"})') or 0) == 3,
             "the three terminals, by site", prom)
    wait_for(lambda: (prom.value("sum(screening_deadletters_total)") or 0) >= 2,
             "dead letters counted", prom)
    wait_for(lambda: (prom.value("sum(screening_watchlist_updates_total)") or 0) >= 2,
             "updates counted", prom)
    wait_for(lambda: prom.value("count(screening_watchlist_version_info == 1)") == 1.0,
             "watchlist version exported", prom)

    # Lag: one series per partition the worker reads, back to zero once all is processed.
    # traveller, vehicle, update and decisions topics
    partitions = 4 * settings.topic_partitions
    prefix = settings.topic_prefix.replace(".", "[.]")
    lag = f'screening_consumer_lag_messages{{topic=~"{prefix}.*"}}'
    wait_for(lambda: prom.value(f"count({lag})") == partitions, "lag of every partition", prom)
    wait_for(lambda: prom.value(f"sum({lag})") == 0.0, "lag back to zero", prom)

    failures = []
    for title, expr in dashboard_targets():
        answer = prom.query(as_prometheus_sees_it(expr))
        if answer.get("status") != "success":
            failures.append(f"{title}: {expr}: {answer.get('error')}")
            continue
        values = [float(r["value"][1]) for r in answer["data"]["result"]]
        if not values or all(v != v for v in values):  # v != v: NaN
            failures.append(f"{title}: {expr}: no data")
    assert not failures, "\n".join(failures)
