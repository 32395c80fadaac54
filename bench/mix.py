"""The real mix of `make bench` (docs/performance.md): officers of several cities, each signed
in with their own session and rotating over their own portfolio's pages (the dashboard, the
list's pages and filters, each of their partnerships, the city directory's search, their
activities: hundreds of distinct addresses), at one connection per officer; measured

* with the page cache warm and nobody writing,
* with the page cache on while someone writes at a stated rate (a coordinator logging an
  activity in a running partnership anywhere in the portal, in turn, through the portal's own
  form: every write a real POST), and
* with the page cache off,

each as a share of the same run's /healthz and against its Django admin changelist. The
addresses and the writer come from `django_tasks.py mix`; wrk drives them with wrk_mix.lua.
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import re
import resource
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
WARM, WRITES, OFF = (
    "mix, page cache warm, no writes",
    "mix, page cache on, writes",
    "mix, page cache off",
)


def session(base: str, login_path: str, username: str, password: str):
    """A signed-in browser: (opener with its cookie jar, the jar). GET the login form for the
    CSRF token, POST the credentials."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + login_path, timeout=60) as r:
        page = r.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        raise SystemExit("No CSRF token on the login page.")
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(base + login_path, data=data, headers={"Referer": base})
    with opener.open(request, timeout=60) as r:
        r.read()
    if not any(c.name == "sessionid" for c in jar):
        raise SystemExit(f"Login as {username} failed (no session cookie).")
    return opener, jar


def cookie_header(jar) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in jar)


class Writer(threading.Thread):
    """Posts the writer's form `rate` times a second until stopped; counts what was saved
    (a redirect) and what was not."""

    def __init__(self, base: str, login_path: str, writer: dict, password: str, rate: float):
        super().__init__(daemon=True)
        self.base, self.writer, self.rate = base, writer, rate
        self.opener, self.jar = session(base, login_path, writer["username"], password)
        self.stop_event = threading.Event()
        self.saved = self.failed = 0

    def _post(self, target: dict) -> bool:
        token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        data = urllib.parse.urlencode({**self.writer["form"], "csrfmiddlewaretoken": token})
        url = self.base + target["path"]
        request = urllib.request.Request(url, data=data.encode(), headers={"Referer": url})

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )
        try:
            with opener.open(request, timeout=30) as r:
                r.read()
                return False  # a 200 is the form again: refused
        except urllib.error.HTTPError as error:
            return error.code == 302

    def run(self) -> None:
        targets = itertools.cycle(self.writer["targets"])  # a partnership anywhere, in turn
        with self.opener.open(self.base + self.writer["targets"][0]["path"], timeout=30) as r:
            r.read()  # the CSRF cookie
        period = 1 / self.rate
        next_at = time.monotonic()
        while not self.stop_event.is_set():
            if self._post(next(targets)):
                self.saved += 1
            else:
                self.failed += 1
            next_at += period
            self.stop_event.wait(max(0.0, next_at - time.monotonic()))

    def stop(self) -> dict:
        self.stop_event.set()
        self.join(timeout=40)
        return {"writes_saved": self.saved, "writes_refused": self.failed}


def officer_files(base: str, mix: dict) -> str:
    """Sign each officer in; a directory with one file per officer (cookie, then paths)."""
    folder = tempfile.mkdtemp(prefix="bench-mix-")
    for n, officer in enumerate(mix["officers"], start=1):
        _, jar = session(base, mix["login"], officer["username"], mix["password"])
        lines = [cookie_header(jar), *officer["paths"]]
        (Path(folder) / f"officer-{n}.txt").write_text("\n".join(lines) + "\n")
    return folder


def _wrk(base: str, folder: str, officers: int, seconds: int) -> dict:
    cmd = ["wrk", "-t", str(officers), "-c", str(officers), "-d", f"{seconds}s"]
    cmd += ["--timeout", "10s", "-s", str(BENCH / "wrk_mix.lua"), base + "/", "--", folder]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no summary:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    data["wrk_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return data


def measure(server, folder: str, officers: int, seconds: int, writer: Writer | None) -> dict:
    """One figure of the mix: wrk for `seconds` (after a warm-up of as long, which visits
    every address), with the writer posting meanwhile when given."""
    _wrk(server.base, folder, officers, seconds)
    cpu_before = server.worker_cpu_seconds()
    if writer:
        writer.start()
    raw = _wrk(server.base, folder, officers, seconds)
    writes = writer.stop() if writer else {}
    cpu = server.worker_cpu_seconds() - cpu_before
    duration = raw["duration_us"] / 1e6
    errors = (
        raw["non200"] + raw["err_connect"] + raw["err_read"] + raw["err_write"] + raw["err_timeout"]
    )
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / duration, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "errors": errors,
        "last_bad_status": raw["last_bad_status"],
        # None when a worker was recycled meanwhile (gunicorn's max_requests): its CPU is lost.
        "gunicorn_cpu_pct": round(100 * cpu / duration, 0) if cpu >= 0 else None,
        "wrk_cpu_pct": round(100 * raw["wrk_cpu_s"] / duration, 0),
        **writes,
    }
