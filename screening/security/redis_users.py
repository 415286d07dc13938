"""Redis ACL users (an `aclfile` for redis-server): the default user off, one user a role.

- `admin`: everything (the scripts that start Redis, bulk tools, tests' clean-up).
- `worker`: the project's keys only (`{<prefix>...`, hash-tagged, or `<prefix>...`),
  and only the command groups screening uses: reads, writes, key space and scripts
  (the batch look-ups are Lua), none of `@dangerous` but INFO and MEMORY USAGE (the
  list statistics) and the cluster topology a Redis Cluster client reads.
- `console`: its own keys (`{console:<prefix>}:...`: server-side sessions, sign-in
  limits), reads and writes; of the worker's, only the site registry
  (`{<prefix>}:sites`), read-only: it tells which site an alert's checkpoint is at,
  so that analysts see their sites' alerts only; and the namesake clearances
  (`{<prefix>}:clearances`, clearance.py), which analysts grant and supervisors revoke
  there, and workers read. The worker may touch none of its.
- `edge`: the sites' edges (`screening edge`, edge/refresh.py), read-only: the lists'
  current version pointer and the versions' metadata and bucket hashes it copies
  (`{<prefix>}:current`, `<prefix>:meta:*`, `<prefix>:<version>:<table>:<bucket>`),
  with the read commands alone (no scripts, no key space listing).
"""

from __future__ import annotations

from screening.security.roles import REDIS_USERS
from screening.security.secretsdir import SecretsDir

WORKER_COMMANDS = ("-@all +@read +@write +@keyspace +@scripting +@transaction +@connection "
                   "-@dangerous +info +memory|usage +cluster|slots +cluster|shards "
                   "+cluster|nodes +cluster|info")
CONSOLE_COMMANDS = "-@all +@read +@write +@keyspace +@transaction +@connection -@dangerous"
EDGE_COMMANDS = ("-@all +get +hgetall +exists +@connection +cluster|slots +cluster|shards "
                 "+cluster|nodes +cluster|info")


def acl_lines(secrets: SecretsDir, key_prefix: str) -> list[str]:
    pw = {user: secrets.redis_password(user) for user in REDIS_USERS}
    return [
        "user default off resetpass resetkeys resetchannels -@all",
        f"user admin on >{pw['admin']} ~* &* +@all",
        f"user worker on >{pw['worker']} ~{{{key_prefix}* ~{key_prefix}* resetchannels "
        f"{WORKER_COMMANDS}",
        f"user console on >{pw['console']} ~{{console:{key_prefix}* "
        f"%R~{{{key_prefix}*}}:sites ~{{{key_prefix}*}}:clearances resetchannels "
        f"{CONSOLE_COMMANDS}",
        f"user edge on >{pw['edge']} %R~{{{key_prefix}*}}:current %R~{key_prefix}*:meta:* "
        f"%R~{key_prefix}*:*:*:* resetchannels {EDGE_COMMANDS}",
    ]


def write_acl_file(secrets: SecretsDir, key_prefix: str) -> bool:
    """Writes <secrets>/redis-users.acl (0600); True when it changed."""
    from screening.security.secretsdir import write_private

    path = secrets.root / "redis-users.acl"
    text = "\n".join(acl_lines(secrets, key_prefix)) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    write_private(path, text.encode())
    return True
