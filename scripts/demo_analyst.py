"""The demo's duty analyst: signs in to the console over HTTP as a browser does, and works
the alerts it is shown through the hit procedure, so that `make demo` shows decisions
reaching the gates as instructions. It takes three alerts in four (acknowledge, request
verification, then confirm, or dismiss a name match as a namesake); the rest stay open,
and the critical ones among them escalate to the supervisors.

    python scripts/demo_analyst.py URL USER PASSWORD_FILE SECONDS
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson

PAUSE_S = 1.5  # between an analyst's steps: reading, calling the record's owner


async def main(base: str, user: str, password: str, seconds: float) -> int:
    # unsafe: cookies for an IP address (127.0.0.1), which aiohttp refuses by default.
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async def token(path: str) -> str:
            async with http.get(base + path) as resp:
                found = re.search(r'name="csrf" value="([^"]+)"', await resp.text())
            if not found:
                raise SystemExit(f"demo analyst: no sign-in form at {base}{path}")
            return found.group(1)

        async with http.post(base + "/login", allow_redirects=False, data={
                "csrf": await token("/login"), "username": user, "password": password}) as r:
            if r.status != 303:
                raise SystemExit(f"demo analyst: sign-in refused ({r.status})")
        csrf = await token("/")

        async def step(alert: dict[str, Any], decision: str, note: str = "",
                       reason: str | None = None) -> None:
            async with http.post(base + "/api/decisions", data=orjson.dumps({
                    "alert_id": alert["alert_id"], "decision": decision, "note": note}
                    | ({"reason": reason} if reason else {})),
                    headers={"Content-Type": "application/json",
                             "X-CSRF-Token": csrf}) as resp:
                body = await resp.json()
            told = f" -> gate told {body['instruction']}" if body.get("instruction") else ""
            if body.get("pending"):  # a critical alert: a second analyst confirms (four eyes)
                told = " -> waits for a second analyst's confirmation"
            print(f"{alert.get('reference', '?')} {decision}{told}"
                  f"{'' if resp.status == 202 else f' refused: {body}'}", flush=True)
            await asyncio.sleep(PAUSE_S)

        async def work(alert: dict[str, Any]) -> None:
            await step(alert, "acknowledged")
            if "name" in alert["hit"]["matched_on"] and alert["hit"]["score"] < 0.95:
                await step(alert, "dismissed", "namesake: other date of birth on file",
                           "different_person")
                return
            await step(alert, "verification_requested", "owner asked by phone")
            await step(alert, "confirmed", "owner confirmed")

        taken = 0
        seen: set[str] = set()
        tasks: list[asyncio.Task[None]] = []
        deadline = time.monotonic() + seconds
        async with http.get(base + "/events", timeout=aiohttp.ClientTimeout(
                total=seconds + 5)) as resp:
            name, data, pending = "", b"", b""
            # By chunks, not lines: a page's first event (the snapshot) may be megabytes.
            async for chunk in resp.content.iter_any():
                if time.monotonic() > deadline:
                    break
                pending += chunk
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    line = line.rstrip(b"\r")
                    if line.startswith(b"event: "):
                        name = line[7:].decode()
                    elif line.startswith(b"data: "):
                        data += line[6:]
                    elif not line and data:
                        if name == "alert":
                            alert = orjson.loads(data)
                            fresh = (alert["alert_id"] not in seen
                                     and not alert.get("escalated_at")
                                     and alert.get("tier", "referral") == "referral"
                                     and alert.get("kind", "watchlist") == "watchlist"
                                     and not alert.get("cleared_until"))
                            seen.add(alert["alert_id"])
                            if fresh:
                                taken += 1
                                if taken % 4:
                                    tasks.append(asyncio.create_task(work(alert)))
                        name, data = "", b""
        for task in tasks:
            task.cancel()
    return 0


if __name__ == "__main__":
    url, who, password_file, span = sys.argv[1:5]
    sys.exit(asyncio.run(main(url.rstrip("/"), who, Path(password_file).read_text().strip(),
                              float(span))))
