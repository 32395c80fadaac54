"""`make bench`: the portal under load on this machine, against the performance budgets.

    .venv/bin/python bench/run.py                 # full: 10,000 partnerships, 30 s per page
    .venv/bin/python bench/run.py --scale quick   # 1,000 partnerships, for a first look

What it does, in order (every step bounded in time; only 127.0.0.1 is ever contacted):

1. drops and re-creates the PostgreSQL database `bench` (DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/bench), migrates it and fills it with `seed_synthetic`;
2. creates two users (an officer of the city with the most partnerships, a superuser) and picks
   the pages (bench/django_tasks.py); pages whose feature is not merged yet are skipped with a
   note;
3. collects static files into a temporary STATIC_ROOT and starts gunicorn (sync workers) on a
   free loopback port with production settings (DEBUG off; plain-HTTP cookie flags off) and,
   as in production, Redis (`--redis-url`, default database 15, emptied first with FLUSHDB):
   cached sessions and the per-session page cache, reported as on or off in the results
   (`--no-redis` serves without Redis; `--env PAGE_CACHE=off` keeps Redis, without the cache);
4. logs in like a browser (GET the login form for the CSRF token, POST the credentials) and
   drives each page with wrk for `--duration` seconds at `--users` connections, recording
   p50/p95/p99, requests per second and every response that is not a 200;
5. reads each worker's peak resident memory (VmHWM) before stopping gunicorn (always: the
   server runs in a `try/finally` and an atexit handler);
6. times the reminder scan over 100,000 partnerships (10,000 in a quick run) in a subprocess,
   email to a dummy backend (SMTP excluded);
7. prints the table, with PASS/FAIL per budget, and writes bench/results/<timestamp>.json/.md.

The load generator is wrk (Debian's `wrk`, written in C): on a 2-core machine the generator
competes with gunicorn and PostgreSQL for CPU, and wrk costs far less CPU per request than a
Python generator such as locust, so the numbers say more about the portal. Its CPU share is
recorded per page.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import mix  # bench/mix.py (this script is run as bench/run.py: its folder is on the path)

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench"
# Production runs with Redis (sessions, the per-session page cache): so does the server here, on
# a database number of its own that each run empties (FLUSHDB of that number only).
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
TICK = os.sysconf("SC_CLK_TCK")

SCALES = {
    # partnerships, cities, businesses, activities, reviews; the reminder scan's partnerships
    "full": {
        "partnerships": 10_000,
        "cities": 3_000,
        "businesses": 50_000,
        "activities": 200_000,
        "reviews": 20_000,
        "reminder_partnerships": 100_000,
    },
    "quick": {
        "partnerships": 1_000,
        "cities": 300,
        "businesses": 5_000,
        "activities": 20_000,
        "reviews": 2_000,
        "reminder_partnerships": 10_000,
    },
}

BUDGET_P95_MS = 100.0
BUDGET_CEILING_RATIO = 0.10
BUDGET_REMINDER_S = 10.0
BUDGET_COORDINATOR_MS = 300.0  # a network coordinator's dashboard at 100,000, in-process
BUDGET_WORKER_MB = 200.0
# The real mix (bench/mix.py): its share of /healthz with writes going on, and with the page
# cache off, which must also be this many times Django admin's changelist.
BUDGET_MIX_RATIO = 0.10
BUDGET_MIX_OFF_RATIO = 0.06
BUDGET_MIX_OFF_ADMIN = 3.0
CEILING, ADMIN, LIST = "healthz", "admin changelist", "partnership list (step 7)"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- database -------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1", ""):
        raise SystemExit(f"Refusing a database that is not on this machine: {host}")
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in ("postgres", "template0", "test"):
        raise SystemExit(f"Refusing to drop the database {name!r}: use a throwaway name.")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def reset_redis(url: str) -> None:
    """Empty the benchmark's own Redis database number (never FLUSHALL, never number 0)."""
    import redis

    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"Refusing a Redis that is not on this machine: {parts.hostname}")
    number = parts.path.lstrip("/")
    if not number.isdigit() or number == "0":
        raise SystemExit(f"Give the benchmark a Redis database number of its own, not {url!r}.")
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.flushdb()
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {url} does not answer ({error}); or use --no-redis.") from error
    finally:
        client.close()


def page_cache_state(env: dict[str, str]) -> dict:
    """Whether the server's settings turn the page cache on (as its own environment says)."""
    code = (
        "import json; from django.conf import settings; print(json.dumps({'on': "
        "settings.PAGE_CACHE, 'timeout_s': settings.PAGE_CACHE_TIMEOUT, "
        "'cache': settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}))"
    )
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def django_env(db_url: str, static_root: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "REDIS"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        BENCH_STATIC_ROOT=static_root,
        DATABASE_URL=db_url,
        DEBUG="false",
        SECRET_KEY="bench-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on loopback: no redirect to HTTPS, cookies not marked Secure.
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        EMAIL_URL="dummymail://",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 1800) -> str:
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def task(env: dict[str, str], name: str, timeout: float = 1800) -> dict:
    result = subprocess.run(
        [PYTHON, str(BENCH / "django_tasks.py"), name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise SystemExit(f"django_tasks {name} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def seed(env: dict[str, str], **counts: int) -> tuple[float, str]:
    args = ["seed_synthetic"]
    for key, value in counts.items():
        args += [f"--{key}", str(value)]
    started = time.perf_counter()
    out = manage(env, *args, timeout=3600)
    return time.perf_counter() - started, out.strip().splitlines()[-1]


# --- gunicorn -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1, always stopped (context manager + atexit)."""

    def __init__(self, env: dict[str, str], workers: int):
        self.env, self.workers = env, workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in stop()
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )

    def __enter__(self) -> Server:
        self.proc = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                # gunicorn also reads the project's gunicorn.conf.py (the web process's
                # settings) from this folder. Two of them must not apply here: its 4 threads
                # turn "sync" into gthread, whose keep-alive pins wrk's connections to the
                # worker that accepted them (one worker busy, two idle: the changelist's
                # "stall" at 11-13 rps); and its replacing each worker after 1,000 requests
                # costs a worker's start-up, which /healthz at thousands a second paid every
                # second (703 against 2,086 rps, docs/performance.md).
                "--worker-class",
                "sync",
                "--threads",
                "1",
                "--max-requests",
                "0",
                "--timeout",
                "60",
                "--log-level",
                "warning",
                "--chdir",
                str(ROOT),
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        atexit.register(self.stop)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200 and len(self.worker_pids()) >= self.workers:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit(f"gunicorn did not answer within 60 s:\n{self.log()}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def log(self) -> str:
        self.log_file.flush()
        return Path(self.log_file.name).read_text(errors="replace")[-4000:]

    def worker_pids(self) -> list[int]:
        if not self.proc:
            return []
        pids = []
        for status in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = status.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.proc.pid:
                    pids.append(int(status.parent.name))
        return pids

    def worker_cpu_seconds(self) -> float:
        total = 0
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / TICK

    def peak_memory_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each worker, in MiB."""
        peaks = {}
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = round(int(line.split()[1]) / 1024, 1)
        return peaks

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        with contextlib.suppress(OSError):
            self.log_file.close()


# --- login and load -------------------------------------------------------------------------


def login(server: Server, login_path: str, username: str, password: str) -> str:
    """A signed-in browser's Cookie header: GET the form (CSRF cookie + token), POST it."""
    try:
        return _login(server.base, login_path, username, password)
    except urllib.error.HTTPError as error:
        raise SystemExit(f"Login as {username} failed: {error}\n{server.log()}") from error


def _login(base: str, login_path: str, username: str, password: str) -> str:
    _, jar = mix.session(base, login_path, username, password)
    return mix.cookie_header(jar)


def fetch(base: str, path: str, cookie: str | None) -> tuple[int, int, str]:
    """(status, bytes, final URL) of one GET, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(request, timeout=30) as r:
            return r.status, len(r.read()), ""
    except urllib.error.HTTPError as error:
        return error.code, 0, error.headers.get("Location", "")


def wrk(url: str, cookie: str | None, users: int, seconds: int) -> dict:
    """One bounded wrk run; returns its summary plus the CPU wrk itself used."""
    cmd = ["wrk", "-t", "2", "-c", str(users), "-d", f"{seconds}s", "--timeout", "10s"]
    cmd += ["-s", str(BENCH / "wrk_report.lua")]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((x for x in out.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no summary:\n{out.stdout}\n{out.stderr}")
    data = json.loads(line.removeprefix("BENCHJSON "))
    data["wrk_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return data


def measure(server: Server, path: str, cookie: str | None, users: int, seconds: int) -> dict:
    wrk(server.base + path, cookie, users, min(3, seconds))  # warm every worker's caches
    cpu_before = server.worker_cpu_seconds()
    raw = wrk(server.base + path, cookie, users, seconds)
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
        "max_ms": round(raw["max_us"] / 1000, 1),
        "errors": errors,
        "non200": raw["non200"],
        "last_bad_status": raw["last_bad_status"],
        "socket_errors": errors - raw["non200"],
        "kb_per_response": round(raw["bytes"] / max(1, raw["requests"]) / 1024, 1),
        "gunicorn_cpu_pct": round(100 * cpu / duration, 0),
        "wrk_cpu_pct": round(100 * raw["wrk_cpu_s"] / duration, 0),
    }


# --- report ---------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "SKIP" if ok is None else ("PASS" if ok else "FAIL")


def evaluate(result: dict) -> list[dict]:
    pages, checks = result["pages"], []
    ceiling = pages.get(CEILING, {}).get("rps")
    admin = pages.get(ADMIN, {}).get("rps")
    for name, page in pages.items():
        if name == CEILING:
            continue
        if page.get("skipped"):
            checks.append({"budget": f"{name}: measured", "ok": None, "value": page["note"]})
            continue
        page["ratio_ceiling"] = round(page["rps"] / ceiling, 3) if ceiling else None
        page["ratio_admin"] = round(page["rps"] / admin, 2) if admin else None
        checks.append(
            {
                "budget": f"{name}: p95 ≤ {BUDGET_P95_MS:.0f} ms",
                "ok": page["p95_ms"] <= BUDGET_P95_MS,
                "value": f"{page['p95_ms']} ms",
            }
        )
        checks.append(
            {"budget": f"{name}: zero errors", "ok": page["errors"] == 0, "value": page["errors"]}
        )
        if page["ratio_ceiling"] is not None:
            checks.append(
                {
                    "budget": f"{name}: ≥ 10 % of /healthz rps",
                    "ok": page["ratio_ceiling"] >= BUDGET_CEILING_RATIO,
                    "value": f"{100 * page['ratio_ceiling']:.1f} %",
                }
            )
    if pages.get(CEILING):
        checks.append(
            {
                "budget": "healthz: zero errors",
                "ok": pages[CEILING]["errors"] == 0,
                "value": pages[CEILING]["errors"],
            }
        )
    if LIST in pages and ADMIN in pages and not pages[LIST].get("skipped"):
        checks.append(
            {
                "budget": "partnership list ≥ admin changelist (rps)",
                "ok": pages[LIST]["rps"] >= pages[ADMIN]["rps"],
                "value": f"{pages[LIST]['rps']} vs {pages[ADMIN]['rps']} rps",
            }
        )
    checks += _mix_checks(result, ceiling, admin)
    rem = result.get("reminders", {})
    target = result["scale"]["reminder_partnerships"]
    if rem.get("measured"):
        ok = rem["seconds"] <= BUDGET_REMINDER_S if rem["partnerships"] >= 100_000 else None
        checks.append(
            {
                "budget": f"reminder scan over 100,000 partnerships ≤ {BUDGET_REMINDER_S:.0f} s",
                "ok": ok,
                "value": f"{rem['seconds']} s over {rem['partnerships']:,}, "
                f"{rem.get('returned', '')}, {rem.get('reminders_sent', '?')} sent"
                + ("" if ok is not None else f" (quick scale, {target:,}: not the budget's 100k)"),
            }
        )
    else:
        checks.append(
            {
                "budget": "reminder scan over 100,000 partnerships ≤ 10 s",
                "ok": False if rem.get("timed_out") and target >= 100_000 else None,
                "value": f"not measured: {rem.get('note', 'skipped')}",
            }
        )
    coordinator = result.get("coordinator", {})
    if coordinator.get("measured"):
        at_scale = coordinator["partnerships"] >= 100_000
        checks.append(
            {
                "budget": "network coordinator's dashboard at 100,000 partnerships "
                f"≤ {BUDGET_COORDINATOR_MS:.0f} ms in-process (median of visits after writes)",
                "ok": coordinator["median_ms"] <= BUDGET_COORDINATOR_MS if at_scale else None,
                "value": f"{coordinator['median_ms']} ms median, {coordinator['max_ms']} ms max "
                f"of {coordinator['visits']} at {coordinator['partnerships']:,}, "
                f"{coordinator['queries']} queries; the nightly recomputation: "
                f"{coordinator['nightly_recomputed']:,} in {coordinator['nightly_seconds']} s",
            }
        )
    peak = result.get("worker_peak_mb") or {}
    if peak:
        worst = max(peak.values())
        worst_mb = worst * 2**20 / 10**6  # VmHWM is read in MiB; the budget is in MB
        checks.append(
            {
                "budget": f"worker peak memory ≤ {BUDGET_WORKER_MB:.0f} MB",
                "ok": worst_mb <= BUDGET_WORKER_MB,
                "value": f"{worst_mb:.1f} MB = {worst} MiB (VmHWM, max of {len(peak)} workers)",
            }
        )
    return checks


def _mix_checks(result: dict, ceiling: float | None, admin: float | None) -> list[dict]:
    figures = result.get("mix", {}).get("figures", {})
    # The peer of the mix: the admin changelist uncached, when measured (else the cached one).
    admin = result.get("mix", {}).get("admin_uncached", {}).get("rps") or admin
    checks = []
    for name, figure in figures.items():
        figure["ratio_ceiling"] = round(figure["rps"] / ceiling, 3) if ceiling else None
        figure["ratio_admin"] = round(figure["rps"] / admin, 2) if admin else None
        checks.append(
            {
                "budget": f"{name}: zero errors",
                "ok": figure["errors"] == 0,
                "value": figure["errors"],
            }
        )
    writes, off = figures.get(mix.WRITES), figures.get(mix.OFF)
    if writes:  # a refused write writes nothing: the figure would not be the one announced
        checks.append(
            {
                "budget": f"{mix.WRITES}: every write saved",
                "ok": writes["writes_refused"] == 0 and writes["writes_saved"] > 0,
                "value": f"{writes['writes_saved']} saved, {writes['writes_refused']} refused",
            }
        )
    if writes and writes["ratio_ceiling"] is not None:
        checks.append(
            {
                "budget": f"{mix.WRITES}: ≥ {100 * BUDGET_MIX_RATIO:.0f} % of /healthz rps",
                "ok": writes["ratio_ceiling"] >= BUDGET_MIX_RATIO,
                "value": f"{100 * writes['ratio_ceiling']:.1f} %",
            }
        )
    if writes:
        checks.append(
            {
                "budget": f"{mix.WRITES}: p95 ≤ {BUDGET_P95_MS:.0f} ms",
                "ok": writes["p95_ms"] <= BUDGET_P95_MS,
                "value": f"{writes['p95_ms']} ms",
            }
        )
    if off and off["ratio_ceiling"] is not None:
        checks.append(
            {
                "budget": f"{mix.OFF}: ≥ {100 * BUDGET_MIX_OFF_RATIO:.0f} % of /healthz rps",
                "ok": off["ratio_ceiling"] >= BUDGET_MIX_OFF_RATIO,
                "value": f"{100 * off['ratio_ceiling']:.1f} %",
            }
        )
    if off and off["ratio_admin"] is not None:
        checks.append(
            {
                "budget": f"{mix.OFF}: ≥ {BUDGET_MIX_OFF_ADMIN:.0f} × the admin changelist",
                "ok": off["ratio_admin"] >= BUDGET_MIX_OFF_ADMIN,
                "value": f"{off['ratio_admin']} ×",
            }
        )
    return checks


def _mix_lines(result: dict) -> list[str]:
    m = result.get("mix")
    if not m:
        return []
    lines = [
        "",
        f"The real mix (bench/mix.py): {len(m['officers'])} officers of {len(m['officers'])} "
        f"cities, one connection each, over {m['distinct_paths']} distinct pages of their own "
        f"portfolios; writes: {m['write_rate']} a second, an activity logged (a real POST) in "
        f"{len(m['writer']['targets'])} running partnerships anywhere in turn, "
        f"{m['writer']['targets_in_measured_cities']} of them in the measured cities.",
        "",
        "The peer (× admin): Django admin's changelist with the page cache off, "
        + (
            f"{m['admin_uncached']['rps']} rps, p95 {m['admin_uncached']['p95_ms']} ms."
            if m.get("admin_uncached")
            else "not measured (the cached one instead)."
        ),
        "",
        "| mix | rps | p50 ms | p95 ms | p99 ms | errors | × healthz | × admin | writes "
        "saved/refused | gunicorn CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, f in m["figures"].items():
        rc, ra = f.get("ratio_ceiling"), f.get("ratio_admin")
        writes = f"{f['writes_saved']}/{f['writes_refused']}" if "writes_saved" in f else ""
        lines.append(
            f"| {name} | {f['rps']} | {f['p50_ms']} | {f['p95_ms']} | {f['p99_ms']} | "
            f"{f['errors']} | {'' if rc is None else f'{100 * rc:.1f} %'} | "
            f"{'' if ra is None else ra} | {writes} | "
            + ("n/a" if f["gunicorn_cpu_pct"] is None else f"{f['gunicorn_cpu_pct']:.0f} %")
            + " |"
        )
    miss = result.get("miss")
    if miss and miss.get("measured"):
        kinds = ", ".join(
            f"{kind} {ms} ms ({miss['pages_count'][kind]})" for kind, ms in miss["pages_ms"].items()
        )
        lines += [
            "",
            f"In-process, page cache off (django_tasks.py miss; {miss['officers']} officers, "
            f"best of {miss['rounds']} rounds): the mix {miss['mix_ms']} ms a page ({kinds}); "
            f"the admin changelist {miss['admin_changelist_ms']} ms: "
            f"{miss['admin_over_mix']} × the mix's page.",
        ]
    return lines


def page_cache_line(result: dict) -> str:
    pc = result.get("page_cache") or {}
    redis_url = result.get("redis_url") or "none (--no-redis)"
    if not pc.get("on"):
        return f"Page cache: OFF (Redis: {redis_url})."
    return (
        f"Page cache: ON ({pc.get('cache')} at {redis_url}, {pc.get('timeout_s')} s): repeat "
        "visits of one session are answered from the cache."
    )


def markdown(result: dict) -> str:
    lines = [
        f"# Benchmark {result['started']} ({result['scale_name']} scale)",
        "",
        f"Machine: {result['machine']['nproc']} cores, {result['machine']['mem']}; "
        f"gunicorn {result['workers']} sync workers; wrk -t2 -c{result['users']} "
        f"-d{result['duration']}s per page; DEBUG off; PostgreSQL on 127.0.0.1.",
        "",
        page_cache_line(result),
        "",
        "Data: " + ", ".join(f"{v:,} {k}" for k, v in result["seeded"].items()),
        f"Officer `{result['officer']}` of {result['city']} ({result['portfolio']} partnerships).",
        "",
        "| page | path | rps | p50 ms | p95 ms | p99 ms | errors | × healthz | × admin "
        "| KiB | gunicorn CPU | wrk CPU |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, p in result["pages"].items():
        if p.get("skipped"):
            lines.append(f"| {name} | – | skipped: {p['note']} | | | | | | | | | |")
            continue
        rc = p.get("ratio_ceiling")
        ra = p.get("ratio_admin")
        lines.append(
            f"| {name} | `{p['path']}` | {p['rps']} | {p['p50_ms']} | {p['p95_ms']} | "
            f"{p['p99_ms']} | {p['errors']} | {'' if rc is None else f'{100 * rc:.1f} %'} | "
            f"{'' if ra is None else ra} | {p['kb_per_response']} | "
            f"{p['gunicorn_cpu_pct']:.0f} % | {p['wrk_cpu_pct']:.0f} % |"
        )
    lines += _mix_lines(result)
    rem = result.get("reminders", {})
    lines += [
        "",
        "Reminder scan: "
        + (
            f"{rem['seconds']} s over {rem['partnerships']:,} partnerships ({rem['callable']}); "
            f"{rem.get('cities_with_officers', '?')} cities with officers "
            f"({rem.get('officer_accounts_added', 0)} accounts added); {rem.get('returned')}; "
            f"{rem.get('reminders_sent', '?')} sent"
            if rem.get("measured")
            else f"not measured: {rem.get('note')}"
        ),
        f"Worker peak memory (VmHWM, MiB): {result.get('worker_peak_mb')}",
    ]
    if result.get("worker_probe"):
        lines += ["", "Worker-count probe (dashboard): " + json.dumps(result["worker_probe"])]
    lines += ["", "| budget | value | verdict |", "| --- | --- | --- |"]
    lines += [f"| {c['budget']} | {c['value']} | {verdict(c['ok'])} |" for c in result["checks"]]
    return "\n".join(lines) + "\n"


# --- main -----------------------------------------------------------------------------------


def machine() -> dict:
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = mem[1].split()[1] if len(mem) > 1 else "?"
    return {
        "nproc": os.cpu_count(),
        "mem": f"{total} RAM",
        "free_h": "\n".join(mem),
        "loadavg_at_start": os.getloadavg(),
    }


def run_mix(env, server: Server, args, writes: bool = True, data: dict | None = None) -> dict:
    """The real mix on this server: warm with nobody writing, then (if `writes`) with the
    writer posting `args.mix_writes` times a second; or, with `writes=False`, one figure under
    the name of the server's page cache state (off)."""
    data = data or task(env, "mix")
    officers = len(data["officers"])
    folder = mix.officer_files(server.base, data)
    atexit.register(shutil.rmtree, folder, True)
    figures = {}
    if writes:
        log(f"{mix.WARM}: {officers} officers, {data['distinct_paths']} pages")
        figures[mix.WARM] = mix.measure(server, folder, officers, args.duration, None)
        log(f"  {figures[mix.WARM]}")
        writer = mix.Writer(
            server.base, data["login"], data["writer"], data["password"], args.mix_writes
        )
        spread = data["writer"]
        log(
            f"{mix.WRITES}: {args.mix_writes} writes a second over {len(spread['targets'])} "
            f"partnerships ({spread['targets_in_measured_cities']} in the measured cities)"
        )
        figures[mix.WRITES] = mix.measure(server, folder, officers, args.duration, writer)
        log(f"  {figures[mix.WRITES]}")
    else:
        log(f"{mix.OFF}")
        figures[mix.OFF] = mix.measure(server, folder, officers, args.duration, None)
        log(f"  {figures[mix.OFF]}")
    return {**data, "write_rate": args.mix_writes, "figures": figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=SCALES, default="full")
    parser.add_argument("--duration", type=int, default=30, help="Seconds per page (30).")
    parser.add_argument("--users", type=int, default=8, help="Concurrent connections (8).")
    parser.add_argument(
        "--workers", default="auto", help="gunicorn workers, or 'auto' to probe cores+1, 2×cores+1."
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--reuse-db", action="store_true", help="Skip drop/migrate/seed.")
    parser.add_argument("--skip-reminders", action="store_true")
    parser.add_argument("--reminder-timeout", type=int, default=300, help="Seconds (300).")
    parser.add_argument("--pages", help="Comma-separated page names to run (default all).")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Extra environment for the server, e.g. CONN_MAX_AGE=60 (an experiment).",
    )
    parser.add_argument("--label", default="", help="Appended to the result file names.")
    parser.add_argument(
        "--mix-writes",
        type=float,
        default=1.0,
        help="Writes a second during the real mix's second figure (1).",
    )
    parser.add_argument("--no-mix", action="store_true", help="Skip the real mix.")
    parser.add_argument(
        "--compare-language",
        metavar="CODE",
        default="",
        help="Also measure each page in this language (its cookie), right after the default "
        "one, and report the ratio: the cost of translation (docs/performance.md).",
    )
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS,
        help=f"The server's REDIS_URL, emptied at the start ({DEFAULT_REDIS}).",
    )
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="Serve without Redis (database sessions, no page cache). "
        "Or keep Redis and switch the page cache off: --env PAGE_CACHE=off.",
    )
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: sudo apt-get install wrk")
    if "127.0.0.1" not in args.database_url and "localhost" not in args.database_url:
        raise SystemExit("The benchmark database must be on this machine (127.0.0.1).")

    scale = SCALES[args.scale]
    extra = dict(kv.split("=", 1) for kv in args.env)
    started = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    atexit.register(shutil.rmtree, static_root, True)
    env = django_env(args.database_url, static_root, extra)
    # Only the server gets Redis: seeding and the reminder timing keep eager Celery, as before.
    redis_url = None if args.no_redis else args.redis_url
    server_env = {**env, "REDIS_URL": redis_url} if redis_url else env
    result: dict = {
        "started": started,
        "scale_name": args.scale,
        "scale": scale,
        "machine": machine(),
        "users": args.users,
        "duration": args.duration,
        "database": args.database_url,
        "server_env_extra": extra,
        "redis_url": redis_url,
        "seeded": {},
    }

    if args.reuse_db:
        manage(env, "migrate", "--noinput")  # others' new migrations, if any
    else:
        log(f"re-creating {args.database_url} and migrating")
        recreate_database(args.database_url)
        manage(env, "migrate", "--noinput")
        log("seeding (seed_synthetic)")
        seconds, summary = seed(
            env,
            **{k: v for k, v in scale.items() if k != "reminder_partnerships"},
        )
        result["seed_seconds"] = round(seconds, 1)
        result["seed_summary"] = summary
        log(summary)
    prep = task(env, "prepare")
    result.update(seeded=prep["counts"], officer=prep["officer"], city=prep["city"])
    result["portfolio"] = prep["portfolio"]
    result["maintenance"] = prep["maintenance"]
    log(f"the day's health scored and the statistics analyzed: {prep['maintenance']}")
    log("collectstatic")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    if redis_url:
        reset_redis(redis_url)
    result["page_cache"] = page_cache_state(server_env)
    log(page_cache_line(result))

    cores = os.cpu_count() or 2
    if args.workers == "auto":
        probe = {}
        dashboard = prep["pages"]["dashboard"]["path"]
        for n in sorted({cores + 1, 2 * cores + 1}):
            with Server(server_env, n) as server:
                cookie = login(server, prep["login"], prep["officer"], prep["password"])
                m = measure(server, dashboard, cookie, args.users, min(10, args.duration))
                probe[n] = {"rps": m["rps"], "p95_ms": m["p95_ms"], "errors": m["errors"]}
                log(f"probe {n} workers: {probe[n]}")
        workers = max(probe, key=lambda n: (probe[n]["rps"], -probe[n]["p95_ms"]))
        result["worker_probe"] = probe
    else:
        workers = int(args.workers)
    result["workers"] = workers

    wanted = set(args.pages.split(",")) if args.pages else None
    result["pages"] = {}
    with Server(server_env, workers) as server:
        cookies = {
            "officer": login(server, prep["login"], prep["officer"], prep["password"]),
            "admin": login(server, prep["login"], prep["admin"], prep["password"]),
            None: None,
        }
        for name, page in prep["pages"].items():
            if wanted and name not in wanted:
                continue
            if not page["path"]:
                result["pages"][name] = {"skipped": True, "note": page["note"]}
                log(f"{name}: skipped ({page['note']})")
                continue
            cookie = cookies[page["user"]]
            status, size, location = fetch(server.base, page["path"], cookie)
            if status != 200:
                note = f"GET answered {status} {location}".strip()
                result["pages"][name] = {"skipped": True, "note": note, "path": page["path"]}
                log(f"{name}: {note}; not loaded\n{server.log()[-1500:]}")
                continue
            log(f"{name}: {page['path']} ({size // 1024} KiB) for {args.duration} s")
            m = measure(server, page["path"], cookie, args.users, args.duration)
            m.update(path=page["path"], user=page["user"], note=page.get("note", ""))
            # Other processes on the machine (e.g. test runs) compete for the same 2 cores.
            m["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
            result["pages"][name] = m
            log(
                f"  {m['rps']} rps, p50 {m['p50_ms']} p95 {m['p95_ms']} p99 {m['p99_ms']} ms, "
                f"{m['errors']} errors"
            )
            if args.compare_language:
                language_cookie = f"django_language={args.compare_language}"
                other = "; ".join(c for c in (cookie, language_cookie) if c)
                t = measure(server, page["path"], other, args.users, args.duration)
                t["ratio_to_default"] = round(t["rps"] / m["rps"], 3) if m["rps"] else None
                m[f"in_{args.compare_language}"] = t
                log(
                    f"  in {args.compare_language}: {t['rps']} rps ({t['ratio_to_default']} of "
                    f"the default), p95 {t['p95_ms']} ms, {t['errors']} errors"
                )
        if not args.no_mix and (not wanted or "mix" in wanted):
            result["mix"] = run_mix(env, server, args)
        result["worker_peak_mb"] = server.peak_memory_mb()
    if "mix" in result:
        # The same mix with the page cache off: a server of its own, the same sessions' users.
        # The peer, Django admin's changelist, uncached as well (the peer): measured
        # on that server, by the superuser, before the mix.
        with Server({**server_env, "PAGE_CACHE": "off"}, workers) as server:
            admin_page = prep["pages"][ADMIN]["path"]
            admin_cookie = login(server, prep["login"], prep["admin"], prep["password"])
            log(f"{ADMIN}, page cache off: {admin_page} for {args.duration} s")
            peer = measure(server, admin_page, admin_cookie, args.users, args.duration)
            peer["path"] = admin_page
            result["mix"]["admin_uncached"] = peer
            log(f"  {peer['rps']} rps, p95 {peer['p95_ms']} ms, {peer['errors']} errors")
            figure = run_mix(env, server, args, writes=False, data=result["mix"])
            result["mix"]["figures"].update(figure["figures"])
        # The same miss path in-process, without wrk's queue: ms a page, and the ratio to the
        # admin changelist as the Python and the database see it.
        log("the miss path in-process (django_tasks.py miss)")
        result["miss"] = task(env, "miss")
        log(f"  {result['miss']}")

    if args.skip_reminders:
        result["reminders"] = {"measured": False, "note": "skipped (--skip-reminders)"}
    else:
        have = prep["counts"]["partnerships"]
        target = scale["reminder_partnerships"]
        if have < target:
            more = target - have
            log(f"extending to {target:,} partnerships for the reminder scan (+{more:,})")
            seconds, summary = seed(
                env,
                partnerships=more,
                cities=max(300, more * 3 // 100),
                activities=more * 2,
                reviews=more // 5,
            )
            result["reminder_seed"] = summary
        log("timing the reminder scan")
        try:
            result["reminders"] = task(env, "reminders", timeout=args.reminder_timeout)
        except subprocess.TimeoutExpired:
            result["reminders"] = {
                "measured": False,
                "timed_out": True,
                "partnerships": target,
                "note": f"did not finish within {args.reminder_timeout} s (stopped)",
            }

        log("timing a network coordinator's dashboard")
        try:
            result["coordinator"] = task(env, "coordinator", timeout=args.reminder_timeout)
        except subprocess.TimeoutExpired:
            result["coordinator"] = {"measured": False, "note": "timed out"}

    result["checks"] = evaluate(result)
    RESULTS.mkdir(exist_ok=True)
    stem = RESULTS / (started + (f"-{args.label}" if args.label else ""))
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2, default=str))
    report = markdown(result)
    stem.with_suffix(".md").write_text(report)
    print()
    print(report)
    log(f"written {stem}.json and .md")
    failed = [c for c in result["checks"] if c["ok"] is False]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
