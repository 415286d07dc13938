"""`screening security`: the CA, principals, ACLs and client configurations (contract v2)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from redis.exceptions import RedisError

from screening.settings import Settings
from screening.sites import Site

DEFAULT_REDIS_TLS_URL = "rediss://127.0.0.1:6380/0"


def add_parser(sub: Any) -> None:
    p = sub.add_parser("security", help="CA, principals, ACLs and client configurations")
    ssub = p.add_subparsers(dest="security_command", required=True, metavar="ACTION")
    init = ssub.add_parser(
        "init", help="make the CA, certificates and passwords (once), then the principals, "
                     "topics and ACLs on the broker; idempotent")
    init.add_argument("--offline", action="store_true",
                      help="only the files under SCREENING_SECRETS_DIR (before Kafka and "
                           "Redis start)")
    init.set_defaults(func=run_init)
    add = ssub.add_parser(
        "add-site", help="a site's topics, principal (site-SITE) and ACLs, and its checkpoints "
                         "recorded; running workers answer it within 30 s")
    add.add_argument("site", help="site id: 1-32 characters of A-Z a-z 0-9 _ -")
    add.add_argument("--checkpoint", action="append", default=[], metavar="ID",
                     help="a checkpoint of the site (repeatable); none: every checkpoint id "
                          "that starts with the site id")
    add.add_argument("--venue", default=None, help="the venue's name (for correlation)")
    add.add_argument("--lat", type=float, default=None, help="the venue's latitude")
    add.add_argument("--lon", type=float, default=None, help="the venue's longitude")
    add.set_defaults(func=run_add_site)
    ae = ssub.add_parser(
        "add-edge", help="the principal of a site's edge (edge-SITE): the site's rights and "
                         "reading list updates, to keep the edge's snapshot current")
    ae.add_argument("site", help="a declared site (or `default`)")
    ae.set_defaults(func=run_add_edge)
    at = ssub.add_parser(
        "add-terminal", help="a terminal's token for the site's edge (printed once; only "
                             "its hash is kept); again for a terminal: a new token")
    at.add_argument("site", help="the site the terminal belongs to")
    at.add_argument("terminal", help="terminal id: what its scans carry as terminal_id")
    at.add_argument("--checkpoint", default=None, metavar="ID",
                    help="the checkpoint it stands at (default: the site's only declared "
                         "checkpoint)")
    at.add_argument("--supervisor", action="store_true",
                    help="a site supervisor's token instead: reads the edge's local alerts "
                         "(GET /v1/alerts, /alerts), posts no scan")
    at.add_argument("--cert", action="store_true",
                    help="a client certificate signed by the deployment's CA instead of a "
                         "token (TERMINAL.crt and TERMINAL.key written to --out); again for "
                         "a terminal: a new certificate, the old one refused")
    at.add_argument("--out", type=Path, default=None, metavar="DIR",
                    help="with --cert: where the certificate and key go (default "
                         "<secrets_dir>/edge/SITE-terminals)")
    at.set_defaults(func=run_add_terminal)
    rt = ssub.add_parser("revoke-terminal",
                         help="revoke a terminal's token: the edge refuses it from the next "
                              "request")
    rt.add_argument("site")
    rt.add_argument("terminal")
    rt.set_defaults(func=run_revoke_terminal)
    cc = ssub.add_parser("client-config",
                         help="print what a client needs to connect as PRINCIPAL")
    cc.add_argument("principal", help="admin, worker, feed, console, auditor or site-SITE")
    cc.add_argument("--format", choices=("librdkafka", "env"), default="librdkafka",
                    help="librdkafka: a properties file for `kcat -F`; env: SCREENING_* "
                         "lines for this project's commands")
    cc.add_argument("--redis-url", default=DEFAULT_REDIS_TLS_URL,
                    help=f"Redis URL written with --format env (default {DEFAULT_REDIS_TLS_URL})")
    cc.set_defaults(func=run_client_config)


def run_init(settings: Settings, args: argparse.Namespace) -> int:
    from screening.deadletters import new_key_text
    from screening.security import roles
    from screening.security.redis_users import write_acl_file
    from screening.security.secretsdir import SecretsDir, new_password, write_private
    from screening.watchlists.signing import ensure_feed_keys

    secrets = SecretsDir(Path(settings.secrets_dir))
    sites = [roles.DEFAULT_SITE]
    made = secrets.ensure(roles.principals(sites), list(roles.REDIS_USERS))
    if write_acl_file(secrets, settings.redis_prefix):
        made.append("redis-users.acl")
    grafana = secrets.root / "grafana-admin.password"
    if not grafana.exists():  # docker/compose.yaml's Grafana admin
        write_private(grafana, new_password().encode())
        made.append(grafana.name)
    sealing = secrets.root / "deadletter.key"
    if not sealing.exists():  # seals dead letters' payloads (deadletters.py)
        write_private(sealing, new_key_text())
        made.append(sealing.name)
    feed_key = secrets.root / "feed-signing.key"
    if not feed_key.exists():
        made.append(feed_key.name)
    ensure_feed_keys(secrets.root)
    audit_key = secrets.root / "audit.key"
    if not audit_key.exists():  # the audit's HMAC key (screening/audit/digests.py)
        write_private(audit_key, new_password().encode() + new_password().encode())
        made.append(audit_key.name)
    root = secrets.root.resolve()
    if made:
        print(f"security: made {', '.join(made)} in {root} (mode 0600)", file=sys.stderr)
    else:
        print(f"security: secrets in {root} already complete", file=sys.stderr)
    if args.offline:
        return 0
    from screening.security.provision import apply

    declared = asyncio.run(_declared_sites(settings))
    sites += [s.id for s in declared if s.id != roles.DEFAULT_SITE]
    secrets.ensure(roles.principals(sites), [])
    report = apply(settings, sites, users=True)
    print(f"security: broker {', '.join(settings.broker_hosts)}: {len(report.users)} SCRAM "
          f"users, {len(report.topics_created)} topics created, "
          f"{len(report.topics_configured)} reconfigured, {report.acls} ACLs",
          file=sys.stderr)
    print("security: a client's settings: `screening security client-config PRINCIPAL "
          "--format env`", file=sys.stderr)
    return 0


async def _declared_sites(settings: Settings) -> list[Site]:
    """The sites of the sites file (recorded in the registry) and those recorded before.
    Redis not reachable yet (`make services` provisions Kafka first): the file's only."""
    from screening.sites import load_registry, read_sites_file, record_site

    declared = read_sites_file(Path(settings.sites_file)) if settings.sites_file else []
    try:
        redis = _admin_redis(settings)
        try:
            for site in declared:
                await record_site(redis, settings, site)
            declared += list(await load_registry(redis, settings))
        finally:
            await redis.aclose()
    except (OSError, FileNotFoundError, RedisError) as exc:
        print(f"security: site registry not reachable ({type(exc).__name__}); sites of the "
              "sites file only", file=sys.stderr)
    return list({s.id: s for s in declared}.values())


def _admin_redis(settings: Settings) -> Any:
    from screening.redis_client import make_redis
    from screening.security.secretsdir import redis_user_settings

    return make_redis(redis_user_settings(settings, "admin"))


def run_add_site(settings: Settings, args: argparse.Namespace) -> int:
    from screening.security import roles
    from screening.security.provision import apply
    from screening.security.secretsdir import SecretsDir
    from screening.sites import record_site

    try:
        site_id = roles.check_site(args.site)
    except ValueError as exc:
        print(f"security: {exc}", file=sys.stderr)
        return 2
    if site_id == roles.DEFAULT_SITE:
        print("security: `default` is the v1 topics' site; it exists already", file=sys.stderr)
        return 2
    site = Site(site_id, frozenset(args.checkpoint), args.venue, args.lat, args.lon)
    secrets = SecretsDir(Path(settings.secrets_dir))
    secrets.ensure([roles.site_principal(site_id)], [])

    async def record() -> None:
        redis = _admin_redis(settings)
        try:
            await record_site(redis, settings, site)
        finally:
            await redis.aclose()

    # Broker first (topics, principal, ACLs), then the registry workers follow: a worker
    # that sees the site can already read its topics.
    report = apply(settings, [roles.DEFAULT_SITE, site_id], users=True)
    asyncio.run(record())
    topics = roles.site_topics(settings, site_id)
    rule = (", ".join(sorted(site.checkpoints)) if site.checkpoints
            else f"every checkpoint id starting with {site_id!r}")
    print(f"security: site {site_id}: principal {roles.site_principal(site_id)}, topics "
          f"{topics.traveller}, {topics.vehicle}, {topics.results}, {topics.instructions} "
          f"({len(report.topics_created)} created); checkpoints: {rule}", file=sys.stderr)
    print(f"security: its terminals connect with `screening security client-config "
          f"{roles.site_principal(site_id)}`", file=sys.stderr)
    return 0


def run_client_config(settings: Settings, args: argparse.Namespace) -> int:
    from screening.security import roles
    from screening.security.clients import librdkafka_config
    from screening.security.secretsdir import SecretsDir, principal_settings

    secrets = SecretsDir(Path(settings.secrets_dir))
    principal = args.principal
    if principal not in secrets.kafka_principals():
        print(f"security: no principal {principal!r} in {secrets.root} (known: "
              f"{', '.join(secrets.kafka_principals()) or 'none; run screening security init'})",
              file=sys.stderr)
        return 2
    if args.format == "librdkafka":
        config = librdkafka_config(principal_settings(settings, principal))
        print(f"# librdkafka client configuration for principal {principal}: keep it "
              "private (mode 0600); use with `kcat -F FILE`")
        for key, value in config.items():
            print(f"{key}={value}")
        return 0
    lines = {
        "SCREENING_BROKER": settings.broker,
        "SCREENING_KAFKA_SECURITY": "sasl_ssl",
        "SCREENING_KAFKA_USERNAME": principal,
        "SCREENING_KAFKA_PASSWORD_FILE": str(secrets.kafka_password_file(principal).resolve()),
        "SCREENING_KAFKA_CA_FILE": str(secrets.ca_cert.resolve()),
    }
    signing_key, trusted_keys = (secrets.root / "feed-signing.key",
                                 secrets.root / "feed-keys.jsonl")
    # An edge verifies its snapshot and the live updates with the feed's public keys.
    if (principal in ("admin", "worker") or principal.startswith("edge-")) \
            and trusted_keys.exists():
        lines["SCREENING_FEED_KEYS_FILE"] = str(trusted_keys.resolve())
    sealing = secrets.root / "deadletter.key"
    if principal in ("admin", "worker") and sealing.exists():
        lines["SCREENING_DEADLETTER_KEY_FILE"] = str(sealing.resolve())
    if principal in ("admin", "feed") and signing_key.exists():
        lines["SCREENING_FEED_SIGNING_KEY_FILE"] = str(signing_key.resolve())
    audit_key = secrets.root / "audit.key"
    if principal in ("admin", "worker", "console", "auditor") and audit_key.exists():
        lines["SCREENING_AUDIT_KEY_FILE"] = str(audit_key.resolve())
    # An edge copies the lists' current version from Redis as the read-only `edge` user.
    redis_user = "edge" if principal.startswith("edge-") else principal
    if redis_user in roles.REDIS_USERS:
        lines.update({
            "SCREENING_REDIS_URL": args.redis_url,
            "SCREENING_REDIS_USERNAME": redis_user,
            "SCREENING_REDIS_PASSWORD_FILE": str(secrets.redis_password_file(redis_user).resolve()),
            "SCREENING_REDIS_CA_FILE": str(secrets.ca_cert.resolve()),
        })
    for key, value in lines.items():
        print(f"{key}={value}")
    return 0


def run_add_terminal(settings: Settings, args: argparse.Namespace) -> int:
    from screening.edge.terminals import (
        SUPERVISOR_ROLE,
        TERMINAL_ROLE,
        add_terminal,
        terminals_file,
    )
    from screening.models.common import Id
    from screening.security import roles

    try:
        site_id = roles.check_site(args.site)
        TypeAdapter(Id).validate_python(args.terminal)
    except (ValueError, ValidationError) as exc:
        print(f"security: {exc}", file=sys.stderr)
        return 2
    path = terminals_file(settings, site_id)
    if args.supervisor:
        if args.cert:
            return _terminal_cert(settings, args, site_id, "", SUPERVISOR_ROLE)
        token = add_terminal(path, args.terminal, "", role=SUPERVISOR_ROLE)
        print(f"security: supervisor {args.terminal} of site {site_id}; its token (shown "
              f"once; only its hash is kept in {path}):", file=sys.stderr)
        print(token)
        return 0
    site = asyncio.run(_site(settings, site_id))
    checkpoint = args.checkpoint
    if checkpoint is None:
        if site is None or len(site.checkpoints) != 1:
            print("security: --checkpoint is needed (the site does not declare exactly one)",
                  file=sys.stderr)
            return 2
        [checkpoint] = site.checkpoints
    if site is not None and not site.holds(checkpoint):
        print(f"security: checkpoint {checkpoint!r} is not one of site {site_id!r}'s",
              file=sys.stderr)
        return 2
    if args.cert:
        return _terminal_cert(settings, args, site_id, checkpoint, TERMINAL_ROLE)
    token = add_terminal(path, args.terminal, checkpoint)
    print(f"security: terminal {args.terminal} of site {site_id} at checkpoint {checkpoint}; "
          f"its token (shown once; only its hash is kept in {path}):", file=sys.stderr)
    print(token)
    return 0


def _terminal_cert(settings: Settings, args: argparse.Namespace, site_id: str,
                   checkpoint: str, role: str) -> int:
    """A client certificate for the terminal, signed by the deployment's CA, its
    fingerprint recorded (the previous certificate is refused from then on)."""
    from screening.edge.terminals import (
        TERMINAL_ROLE,
        add_terminal_cert,
        terminal_uri,
        terminals_file,
    )
    from screening.security import pki
    from screening.security.secretsdir import SecretsDir, write_private

    secrets = SecretsDir(Path(settings.secrets_dir))
    if not (secrets.ca_cert.exists() and secrets.ca_key.exists()):
        print(f"security: no CA in {secrets.root} (run `screening security init`)",
              file=sys.stderr)
        return 2
    key, cert = pki.make_client(pki.load_key(secrets.ca_key), pki.load_cert(secrets.ca_cert),
                                args.terminal, terminal_uri(site_id, args.terminal))
    out = args.out or secrets.root / "edge" / f"{site_id}-terminals"
    # The file names: the terminal id, with what a file name cannot hold replaced.
    stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in args.terminal)
    cert_file, key_file = out / f"{stem}.crt", out / f"{stem}.key"
    write_private(key_file, pki.key_pem(key))
    write_private(cert_file, pki.cert_pem(cert))
    fingerprint = pki.cert_sha256(cert)
    path = terminals_file(settings, site_id)
    add_terminal_cert(path, args.terminal, checkpoint, fingerprint, role)
    what = "supervisor" if role != TERMINAL_ROLE else "terminal"
    print(f"security: {what} {args.terminal} of site {site_id}"
          + (f" at checkpoint {checkpoint}" if checkpoint else "")
          + f": client certificate {cert_file} and key {key_file} (give both to it, with "
          f"{secrets.ca_cert.name}); fingerprint recorded in {path}", file=sys.stderr)
    print(fingerprint)
    return 0


async def _site(settings: Settings, site_id: str) -> Site | None:
    """The site as recorded in the registry; None when Redis cannot tell."""
    from screening.security import roles
    from screening.sites import load_registry

    if site_id == roles.DEFAULT_SITE:
        return Site(site_id)
    try:
        redis = _admin_redis(settings)
        try:
            return (await load_registry(redis, settings)).by_id.get(site_id)
        finally:
            await redis.aclose()
    except (OSError, RedisError) as exc:
        print(f"security: site registry not reachable ({type(exc).__name__}); the "
              "checkpoint is not checked", file=sys.stderr)
        return None


def run_revoke_terminal(settings: Settings, args: argparse.Namespace) -> int:
    from screening.edge.terminals import revoke_terminal, terminals_file
    from screening.security import roles

    try:
        site_id = roles.check_site(args.site)
    except ValueError as exc:
        print(f"security: {exc}", file=sys.stderr)
        return 2
    if not revoke_terminal(terminals_file(settings, site_id), args.terminal):
        print(f"security: site {site_id} has no terminal {args.terminal!r}", file=sys.stderr)
        return 1
    print(f"security: terminal {args.terminal} of site {site_id} revoked", file=sys.stderr)
    return 0


def run_add_edge(settings: Settings, args: argparse.Namespace) -> int:
    from screening.edge.saved import ensure_key, key_path
    from screening.security import roles
    from screening.security.provision import apply
    from screening.security.secretsdir import SecretsDir

    try:
        site_id = roles.check_site(args.site)
    except ValueError as exc:
        print(f"security: {exc}", file=sys.stderr)
        return 2
    if site_id != roles.DEFAULT_SITE and asyncio.run(_site(settings, site_id)) is None:
        print(f"security: no site {site_id!r} (screening security add-site first)",
              file=sys.stderr)
        return 2
    principal = roles.edge_principal(site_id)
    SecretsDir(Path(settings.secrets_dir)).ensure([principal], [])
    sites = [roles.DEFAULT_SITE] + ([site_id] if site_id != roles.DEFAULT_SITE else [])
    apply(settings, sites, users=True)
    # The key its saved copy of the lists is signed with (edge/saved.py).
    edge = settings.model_copy(update={"edge_site": site_id})
    ensure_key(edge)
    print(f"security: principal {principal} for the edge of site {site_id}; its settings: "
          f"`screening security client-config {principal} --format env`; its snapshot key: "
          f"{key_path(edge)}", file=sys.stderr)
    return 0
