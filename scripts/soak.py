#!/usr/bin/env python3
"""`make soak`: the portal under load, with Redis stopped and PostgreSQL restarted mid-run.

Bounded and loopback-only. It

1. starts its own PostgreSQL (initdb in a temporary folder) and Redis on free loopback ports,
   so the machine's shared 5432/6379 (other people's tests, CI) are never disturbed; with
   `--shared-services` it uses 127.0.0.1:5432/6379 and restarts them with `pg_ctlcluster` /
   `redis-server` instead;
2. prepares a database (migrate, load_demo), collects static files into a temporary
   STATIC_ROOT, and starts gunicorn with production settings (DEBUG off, a random SECRET_KEY,
   whitenoise, ALLOWED_HOSTS=127.0.0.1; plain HTTP on loopback, so no https redirect) and a
   Celery worker on that Redis;
3. logs in N simulated users (the demo accounts; stdlib HTTP clients with their own cookies)
   and runs three phases, each with every user requesting pages back to back:
   - steady: N users for D seconds over the dashboard, partnership list and detail pages,
     city directory and city pages: counts 5xx (must be zero);
   - redis: Redis is shut down mid-phase and started again; pages must keep serving (no 5xx);
     the reminder scan (`manage.py send_reminders`, if that command exists) runs during the
     outage and after; afterwards no reminder may be lost (left pending) or sent twice;
   - postgres: PostgreSQL is restarted mid-phase; failing requests must be 503 (never 500)
     and quick (their maximum latency is reported), and the portal must recover by itself
     (time from PostgreSQL accepting connections again to the last failed request);
4. prints a table of figures, and with `--record FILE` writes it into FILE (between the
   `<!-- soak:begin -->` / `<!-- soak:end -->` markers) with the command and the date.

Exit status: 0 when every check holds, 1 otherwise, 2 when the setup failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email
import email.policy
import glob
import http.cookiejar
import json
import os
import random
import re
import secrets
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 15.0  # seconds; a request slower than this counts as an error
SETUP_TIMEOUT = 300


def log(message: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def run(cmd, *, env=None, timeout=SETUP_TIMEOUT, check=True, as_postgres=False, **kw):
    if as_postgres and os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(
        cmd, env=env, timeout=timeout, check=check, capture_output=True, text=True, **kw
    )


def wait_until(predicate, timeout: float, interval: float = 0.1) -> float | None:
    """Poll until predicate() is true; the time it became true, or None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if predicate():
                return time.monotonic()
        time.sleep(interval)
    return None


# --- Services -------------------------------------------------------------------------------


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in `folder`, on a loopback port."""

    def __init__(self, folder: Path, port: int):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.bin = Path(bins[-1])
        self.data = folder / "pgdata"
        self.sockets = folder / "pgsock"
        self.logfile = folder / "postgres.log"
        self.port = port

    def _chown(self, *paths):
        if os.geteuid() == 0:
            for p in paths:
                shutil.chown(p, "postgres", "postgres")

    def init(self):
        self.data.mkdir()
        self.sockets.mkdir()
        self.logfile.touch()
        self._chown(self.data, self.sockets, self.logfile)
        run(
            [
                *(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres"),
                *("--auth=trust", "-E", "UTF8", "--no-sync"),
            ],
            as_postgres=True,
        )
        self.start()

    def _ctl(self, action: str, timeout=60):
        options = f"-p {self.port} -k {self.sockets} -c listen_addresses={HOST} -c fsync=off"
        cmd = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w"]
        cmd += ["-t", "30", "-m", "fast"] if action in ("restart", "stop") else ["-t", "30"]
        if action in ("start", "restart"):
            cmd += ["-o", options]
        return run([*cmd, action], as_postgres=True, timeout=timeout)

    def start(self):
        self._ctl("start")

    def restart(self):
        self._ctl("restart")

    def stop(self):
        with contextlib.suppress(Exception):
            self._ctl("stop")

    def describe(self):
        return f"private PostgreSQL ({self.bin.parent.name}) on {HOST}:{self.port}"


class SharedPostgres:
    def __init__(self):
        self.port = 5432
        self.version = sorted(os.listdir("/etc/postgresql"))[-1]

    def init(self):
        pass

    def restart(self):
        run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", "restart"],
            timeout=60,
        )

    def stop(self):
        pass  # never stop the machine's own cluster

    def describe(self):
        return f"the machine's PostgreSQL {self.version} on {HOST}:5432"


class Redis:
    def __init__(self, folder: Path, port: int, shared: bool):
        self.port, self.shared = port, shared
        self.dir = Path("/var/lib/redis") if shared else folder
        self.logfile = Path("/var/log/redis/ci.log") if shared else folder / "redis.log"

    def start(self):
        self.dir.mkdir(parents=True, exist_ok=True)
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        run(
            [
                *("redis-server", "--daemonize", "yes", "--bind", HOST, "-::1"),
                *("--port", str(self.port), "--save", "", "--appendonly", "no"),
                *("--dir", str(self.dir), "--logfile", str(self.logfile)),
            ],
            timeout=30,
        )
        if wait_until(self.ping, 15) is None:
            raise RuntimeError("Redis did not start")

    def ping(self) -> bool:
        r = run(["redis-cli", "-h", HOST, "-p", str(self.port), "ping"], check=False, timeout=5)
        return r.stdout.strip() == "PONG"

    def stop(self):
        run(
            ["redis-cli", "-h", HOST, "-p", str(self.port), "shutdown", "nosave"],
            check=False,
            timeout=10,
        )
        wait_until(lambda: not self.ping(), 10)

    def describe(self):
        return f"{'the machine' if self.shared else 'private'} Redis on {HOST}:{self.port}"


# --- The load ------------------------------------------------------------------------------


@dataclass
class Sample:
    start: float
    end: float
    status: int  # 0: no HTTP answer (refused, reset, timeout)
    path: str

    @property
    def latency(self) -> float:
        return self.end - self.start


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample):
        with self.lock:
            self.samples.append(sample)

    def between(self, start: float, end: float) -> list[Sample]:
        with self.lock:
            return [s for s in self.samples if start <= s.start < end]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class VirtualUser:
    def __init__(self, base: str, username: str, password: str):
        self.base, self.username, self.password = base, username, password
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.pages: list[str] = []

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read()
            exc.close()
            return exc.code, body
        except (urllib.error.URLError, OSError, TimeoutError):
            return 0, b""

    def login(self) -> bool:
        status, body = self.get("/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not token:
            return False
        data = urllib.parse.urlencode(
            {
                "username": self.username,
                "password": self.password,
                "csrfmiddlewaretoken": token.group(1).decode(),
            }
        ).encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=data)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                final = response.geturl()
                body = response.read()
        except (urllib.error.URLError, OSError):
            return False
        if "/accounts/login/" in final:
            return False
        # The pages this user can reach: the list gives partnership and city links.
        _, listing = self.get("/partnerships/")
        _, cities = self.get("/cities/")
        details = sorted(set(re.findall(rb'href="(/partnerships/\d+/)"', listing)))[:10]
        city_pages = sorted(set(re.findall(rb'href="(/cities/\d+/)"', cities)))[:5]
        self.pages = ["/", "/partnerships/", "/cities/"]
        self.pages += [p.decode() for p in details + city_pages]
        return True

    def loop(self, recorder: Recorder, stop: threading.Event, deadline: float, think: float):
        rng = random.Random(self.username + str(id(self)))
        count = 0
        while not stop.is_set() and time.monotonic() < deadline and count < 1_000_000:
            path = rng.choice(self.pages)
            start = time.monotonic()
            status, _ = self.get(path)
            recorder.add(Sample(start, time.monotonic(), status, path))
            count += 1
            if think:
                stop.wait(rng.uniform(0, 2 * think))


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def summarize(samples: list[Sample], seconds: float) -> dict:
    latencies = [s.latency for s in samples]
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    return {
        "requests": len(samples),
        "rps": round(len(samples) / seconds, 1) if seconds else 0,
        "p50_ms": round(percentile(latencies, 50) * 1000),
        "p95_ms": round(percentile(latencies, 95) * 1000),
        "p99_ms": round(percentile(latencies, 99) * 1000),
        "max_ms": round(max(latencies, default=0) * 1000),
        "5xx": sum(1 for s in samples if s.status >= 500),
        "no_answer": sum(1 for s in samples if s.status == 0),
        "statuses": dict(sorted(statuses.items())),
    }


# --- The run --------------------------------------------------------------------------------


class Soak:
    def __init__(self, args):
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="portal-soak-"))
        self.folder.chmod(0o755)
        self.pg = (
            SharedPostgres() if args.shared_services else PrivatePostgres(self.folder, free_port())
        )
        self.redis = Redis(
            self.folder, 6379 if args.shared_services else free_port(), args.shared_services
        )
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.db_name = args.database_name
        self.mail_dir = self.folder / "mail"
        self.env = self._environment()
        self.processes: list[subprocess.Popen] = []
        self.results: dict = {"phases": {}, "checks": {}}
        self.notes: list[str] = []

    def _environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            DATABASE_URL=f"postgres://postgres@{HOST}:{self.pg.port}/{self.db_name}",
            REDIS_URL=f"redis://{HOST}:{self.redis.port}/0",
            # The file backend named outright: django-environ reads `filemail:///tmp/x` as the
            # RELATIVE path `tmp/x` (it drops the leading slash), so the emails went to
            # ROOT/tmp/... and the soak watched an empty folder.
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.mail_dir),
            # Plain HTTP on loopback: the https redirect, HSTS and secure cookies are for a
            # deployment behind TLS.
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            STATIC_ROOT=str(self.folder / "static"),
            MEDIA_ROOT=str(self.folder / "media"),
            CONN_MAX_AGE="60",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def manage(self, *argv, timeout=SETUP_TIMEOUT, check=True):
        return run(
            [PYTHON, "manage.py", *argv], env=self.env, timeout=timeout, check=check, cwd=ROOT
        )

    # setup

    def setup(self) -> list[tuple[str, str]]:
        log(f"work folder {self.folder}")
        log(f"starting {self.pg.describe()}")
        self.pg.init()
        psql = ["psql", "-h", HOST, "-p", str(self.pg.port), "-U", "postgres", "-q", "-c"]
        run([*psql, f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)'], timeout=60)
        run([*psql, f'CREATE DATABASE "{self.db_name}"'], timeout=60)
        log(f"starting {self.redis.describe()}")
        if not self.redis.ping():
            self.redis.start()
        log("migrate, load_demo, collectstatic")
        self.manage("migrate", "--noinput")
        demo = self.manage("load_demo").stdout
        self.manage("collectstatic", "--noinput", "-v", "0")
        logins = self._demo_logins(demo)
        if not logins:
            raise RuntimeError("load_demo printed no logins")
        self.mail_dir.mkdir(exist_ok=True)
        self._start_gunicorn()
        self._start_worker()
        return logins

    @staticmethod
    def _demo_logins(output: str) -> list[tuple[str, str]]:
        logins, in_table = [], False
        for line in output.splitlines():
            if line.startswith("--"):
                in_table = True
                continue
            if in_table:
                if not line.strip():
                    break
                parts = line.split()
                logins.append((parts[0], parts[-1]))
        return logins

    def _start_gunicorn(self):
        log(f"gunicorn on {self.base} ({self.args.workers} workers × {self.args.threads} threads)")
        logfile = open(self.folder / "gunicorn.log", "w")  # noqa: SIM115 - kept open for the child
        cmd = [str(VENV_BIN / "gunicorn"), "config.wsgi:application", "-b", f"{HOST}:{self.port}"]
        cmd += ["-w", str(self.args.workers), "-k", "gthread", "--threads", str(self.args.threads)]
        cmd += ["--timeout", "30", "--graceful-timeout", "5"]
        self.processes.append(
            subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=logfile, stderr=logfile)
        )
        if (
            wait_until(lambda: urllib.request.urlopen(self.base + "/healthz", timeout=2), 30)
            is None
        ):
            raise RuntimeError(f"gunicorn did not answer; see {self.folder / 'gunicorn.log'}")

    def _start_worker(self):
        if not (ROOT / "config" / "celery.py").exists():
            self.notes.append("no Celery app (config/celery.py): no worker started")
            return
        logfile = open(self.folder / "celery.log", "w")  # noqa: SIM115 - kept open for the child
        cmd = [str(VENV_BIN / "celery"), "-A", "config", "worker", "--loglevel=WARNING"]
        cmd += ["--concurrency=2", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        self.processes.append(
            subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=logfile, stderr=logfile)
        )
        log("Celery worker started")

    def teardown(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        if not self.args.shared_services:
            self.redis.stop()
            self.pg.stop()
            if not self.args.keep:
                shutil.rmtree(self.folder, ignore_errors=True)
        elif not self.redis.ping():
            self.redis.start()  # leave the machine's Redis as we found it

    # load

    def users(self, logins) -> list[VirtualUser]:
        log(f"logging in {self.args.users} users")
        users = []
        for n in range(self.args.users):
            username, password = logins[n % len(logins)]
            user = VirtualUser(self.base, username, password)
            for _ in range(3):
                if user.login():
                    break
                time.sleep(0.5)
            else:
                raise RuntimeError(f"{username} could not log in")
            users.append(user)
        return users

    def phase(self, name: str, users, seconds: float, events=None) -> tuple[list[Sample], dict]:
        """Run every user for `seconds`; `events(t0, stop)` runs alongside in this thread."""
        log(f"phase {name}: {len(users)} users for {seconds:.0f} s")
        recorder, stop = Recorder(), threading.Event()
        t0 = time.monotonic()
        deadline = t0 + seconds
        threads = [
            threading.Thread(
                target=u.loop, args=(recorder, stop, deadline, self.args.think), daemon=True
            )
            for u in users
        ]
        for t in threads:
            t.start()
        info = {}
        try:
            if events:
                info = events(t0, deadline) or {}
        finally:
            remaining = deadline - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
            stop.set()
            for t in threads:
                t.join(timeout=REQUEST_TIMEOUT + 5)
        samples = recorder.samples
        figures = summarize(samples, time.monotonic() - t0)
        figures.update(info)
        self.results["phases"][name] = figures
        log(
            f"  {figures['requests']} requests, {figures['rps']}/s, p95 {figures['p95_ms']} ms, "
            f"5xx {figures['5xx']}, statuses {figures['statuses']}"
        )
        return samples, figures

    # reminders

    def _reminder_command(self) -> bool:
        return self.manage("help", "send_reminders", check=False, timeout=60).returncode == 0

    def _reminder_state(self) -> dict | None:
        code = r"""
import json
from collections import Counter
from django.apps import apps
try:
    Reminder = apps.get_model("partnerships", "Reminder")
except LookupError:
    print(json.dumps(None)); raise SystemExit
from django.db.models import UniqueConstraint, Count
rows = Reminder.objects.count()
by_status = dict(Counter(Reminder.objects.values_list("status", flat=True)))
duplicates = 0
for c in Reminder._meta.constraints:
    if isinstance(c, UniqueConstraint) and c.fields:
        qs = Reminder.objects.all()
        if c.condition is not None:
            qs = qs.filter(c.condition)
        dup = qs.values(*c.fields).annotate(n=Count("pk")).filter(n__gt=1)
        duplicates += sum(d["n"] - 1 for d in dup)
# The email each reminder sent on its own must have produced: (address, subject) as the
# portal builds it. Reminders of people on the weekly digest go out in the digest instead.
from partnerships import notify
NotificationPreference = apps.get_model("partnerships", "NotificationPreference")
on_digest = set(
    NotificationPreference.objects.filter(delivery="digest").values_list("user_id", flat=True)
)
expected = []
for r in Reminder.objects.filter(status="sent").select_related("partnership", "recipient"):
    if r.address and r.recipient_id not in on_digest:
        message = notify.reminder_email(r)
        expected.append([message.to[0].lower(), message.subject])
print(json.dumps({"rows": rows, "by_status": by_status, "duplicate_rows": duplicates,
                  "expected_emails": expected}))
"""
        result = self.manage("shell", "-c", code, check=False, timeout=60)
        if result.returncode != 0:
            self.notes.append(f"reminder state unreadable: {result.stderr.strip()[-300:]}")
            return None
        return json.loads(result.stdout.strip().splitlines()[-1])

    def _sent_emails(self) -> Counter:
        """(To, Subject) of every email in the file backend's folder, decoded (subjects with
        accents are MIME-encoded and long ones folded over lines)."""
        seen: Counter = Counter()
        for f in sorted(self.mail_dir.glob("*.log")):
            for chunk in f.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                if not chunk.strip():
                    continue
                message = email.message_from_string(chunk.lstrip("\n"), policy=email.policy.default)
                if message["To"] and message["Subject"]:
                    seen[(str(message["To"]).strip().lower(), str(message["Subject"]).strip())] += 1
        return seen

    def _emails(self, expected_rows: list) -> dict:
        """Each sent reminder's email counted: one each, none lost, none sent twice."""
        expected = Counter(tuple(row) for row in expected_rows)
        seen = self._sent_emails()
        digests = sum(n for (_, subject), n in seen.items() if "weekly digest" in subject)
        return {
            "emails": sum(seen.values()),
            "emails_expected": sum(expected.values()),
            "duplicate_emails": sum(max(0, seen[k] - n) for k, n in expected.items()),
            "lost_emails": sum(max(0, n - seen[k]) for k, n in expected.items()),
            "unexpected_emails": sum(
                n for k, n in seen.items() if k not in expected and "weekly digest" not in k[1]
            ),
            "digest_emails": digests,
        }

    def redis_events(self, t0: float, deadline: float) -> dict:
        length = deadline - t0
        info: dict = {}
        time.sleep(max(0, length * 0.2))
        log("  stopping Redis")
        self.redis.stop()
        info["redis_down_s"] = 0.0
        down_at = time.monotonic()
        has_command = self._reminder_command()
        info["reminder_command"] = has_command
        scan = None
        if has_command:
            # The scan runs in the background: it may block on the missing broker.
            log("  reminder scan during the outage")
            scan = subprocess.Popen(
                [PYTHON, "manage.py", "send_reminders"],
                env=self.env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            scan_began = time.monotonic()
        time.sleep(max(0, down_at + length * 0.4 - time.monotonic()))
        if scan is not None:
            info["scan_done_during_outage"] = scan.poll() is not None
        log("  starting Redis again")
        self.redis.start()
        info["redis_down_s"] = round(time.monotonic() - down_at, 1)
        if scan is not None:
            try:
                _, err = scan.communicate(timeout=60)
                info["scan_during_outage_rc"] = scan.returncode
                info["scan_during_outage_s"] = round(time.monotonic() - scan_began, 1)
                if scan.returncode:
                    self.notes.append(f"send_reminders during the outage failed: {err[-300:]}")
            except subprocess.TimeoutExpired:
                scan.kill()
                scan.communicate()
                info["scan_during_outage_rc"] = "killed after 60 s"
            if not info["scan_done_during_outage"]:
                self.notes.append(
                    "send_reminders started during the Redis outage did not finish until Redis "
                    f"was back ({info.get('scan_during_outage_s')} s): it waits for the broker"
                )
            after = self.manage("send_reminders", check=False, timeout=60)
            info["scan_after_rc"] = after.returncode
        return info

    def check_reminders(self, info: dict) -> None:
        if not info.get("reminder_command"):
            self.results["checks"]["reminders"] = (
                "PENDING: no `manage.py send_reminders` command yet (reminders issue in "
                "progress): pages were checked during the Redis outage, reminders were not"
            )
            return
        # Let the worker drain what was queued once Redis came back.
        state = None
        for _ in range(60):
            state = self._reminder_state()
            if state is None:
                break
            in_flight = sum(state["by_status"].get(s, 0) for s in ("pending", "sending"))
            if in_flight == 0:
                break
            time.sleep(1)
        if state is None:
            self.results["checks"]["reminders"] = "PENDING: the Reminder model is not readable"
            return
        emails = self._emails(state.pop("expected_emails"))
        lost = sum(state["by_status"].get(s, 0) for s in ("pending", "sending", "failed"))
        ok = (
            lost == 0
            and state["duplicate_rows"] == 0
            and emails["duplicate_emails"] == 0
            and emails["lost_emails"] == 0
            and emails["unexpected_emails"] == 0
        )
        self.results["reminders"] = {**state, **emails, "left_unsent": lost}
        self.results["checks"]["reminders"] = (
            f"{'OK' if ok else 'FAILED'}: {state['rows']} reminders {state['by_status']}, "
            f"{emails['emails']} emails for {emails['emails_expected']} expected, {lost} unsent, "
            f"{state['duplicate_rows']} duplicate rows, {emails['duplicate_emails']} duplicate "
            f"emails, {emails['lost_emails']} lost emails, {emails['unexpected_emails']} "
            "unexpected emails"
        )

    # PostgreSQL

    def _pg_ready(self) -> bool:
        return (
            run(
                ["pg_isready", "-q", "-h", HOST, "-p", str(self.pg.port)], check=False, timeout=5
            ).returncode
            == 0
        )

    def postgres_events(self, t0: float, deadline: float) -> dict:
        time.sleep(max(0, (deadline - t0) * 0.25))
        log("  restarting PostgreSQL")
        began = time.monotonic()
        self.pg.restart()
        ready = wait_until(self._pg_ready, 60, 0.05) or time.monotonic()
        return {"_restart_began": began, "_ready_at": ready}

    def check_postgres(self, samples: list[Sample], figures: dict) -> None:
        began, ready = figures.pop("_restart_began"), figures.pop("_ready_at")
        failed = [s for s in samples if s.status >= 500 or s.status == 0]
        fives = [s for s in failed if s.status == 500]
        not_503 = [s for s in failed if s.status != 503]
        last_failure = max((s.end for s in failed), default=None)
        recovered_after = max(0.0, last_failure - ready) if last_failure else 0.0
        after = [s for s in samples if last_failure is None or s.start > last_failure]
        figures.update(
            restart_s=round(ready - began, 2),
            failed_requests=len(failed),
            failed_503=sum(1 for s in failed if s.status == 503),
            failed_500=len(fives),
            failed_no_answer=sum(1 for s in failed if s.status == 0),
            max_failure_latency_ms=round(max((s.latency for s in failed), default=0) * 1000),
            recovered_s_after_pg_ready=round(recovered_after, 2),
            ok_after_recovery=sum(1 for s in after if s.status < 400),
        )
        ok = (
            not not_503
            and figures["max_failure_latency_ms"] <= self.args.fail_fast_ms
            and figures["ok_after_recovery"] > 0
            and recovered_after <= self.args.recovery_limit
        )
        self.results["checks"]["postgres"] = (
            f"{'OK' if ok else 'FAILED'}: {len(failed)} failed requests during the restart "
            f"({figures['failed_503']} × 503, {len(fives)} × 500, "
            f"{figures['failed_no_answer']} unanswered), slowest failure "
            f"{figures['max_failure_latency_ms']} ms, recovered "
            f"{figures['recovered_s_after_pg_ready']} s after PostgreSQL was ready"
        )

    # main

    def run(self) -> int:
        args = self.args
        logins = self.setup()
        users = self.users(logins)
        self.results["setup"] = {
            "users": args.users,
            "distinct_accounts": len({u.username for u in users}),
            "pages_per_user": round(statistics.mean(len(u.pages) for u in users), 1),
            "gunicorn": f"{args.workers} workers × {args.threads} threads (gthread)",
            "postgres": self.pg.describe(),
            "redis": self.redis.describe(),
        }
        _, steady = self.phase("steady", users, args.duration)
        self.results["checks"]["steady"] = (
            f"{'OK' if steady['5xx'] == 0 else 'FAILED'}: "
            f"{steady['5xx']} × 5xx in {steady['requests']} requests "
            f"({steady['no_answer']} not answered within {REQUEST_TIMEOUT:.0f} s)"
        )
        if not args.skip_redis:
            _, redis = self.phase("redis", users, args.phase_duration, self.redis_events)
            self.results["checks"]["redis_pages"] = (
                f"{'OK' if redis['5xx'] == 0 else 'FAILED'}: "
                f"{redis['5xx']} × 5xx with Redis down for {redis.get('redis_down_s')} s "
                f"({redis['no_answer']} not answered within {REQUEST_TIMEOUT:.0f} s)"
            )
            self.check_reminders(redis)
        if not args.skip_postgres:
            samples, pg = self.phase("postgres", users, args.phase_duration, self.postgres_events)
            self.check_postgres(samples, pg)
        return 0 if all(v.startswith("OK") for v in self.checks_that_count()) else 1

    def checks_that_count(self):
        return [v for v in self.results["checks"].values() if not v.startswith("PENDING")]


def table(results: dict) -> str:
    lines = ["| phase | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | 5xx | statuses |"]
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for name, f in results["phases"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in f["statuses"].items())
        lines.append(
            f"| {name} | {f['requests']} | {f['rps']} | {f['p50_ms']} | {f['p95_ms']} | "
            f"{f['p99_ms']} | {f['max_ms']} | {f['5xx']} | {statuses} |"
        )
    pg = results["phases"].get("postgres")
    extra = []
    if pg and "restart_s" in pg:
        extra += [
            "",
            "| PostgreSQL restart | value |",
            "| --- | ---: |",
            f"| restart took (until pg_isready) | {pg['restart_s']} s |",
            f"| failed requests (503 / 500 / no answer) | {pg['failed_503']} / "
            f"{pg['failed_500']} / {pg['failed_no_answer']} |",
            f"| slowest failed request | {pg['max_failure_latency_ms']} ms |",
            f"| portal recovered after PostgreSQL was ready | "
            f"{pg['recovered_s_after_pg_ready']} s |",
        ]
    redis = results["phases"].get("redis")
    if redis and "redis_down_s" in redis:
        extra += ["", f"Redis was down for {redis['redis_down_s']} s of the redis phase."]
    checks = ["", "| check | result |", "| --- | --- |"]
    checks += [f"| {k} | {v} |" for k, v in results["checks"].items()]
    return "\n".join(lines + extra + checks)


def record(path: Path, text: str, command: str, results: dict, notes: list[str]) -> None:
    setup = results["setup"]
    block = [
        "<!-- soak:begin -->",
        f"Last run: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, command `{command}`, "
        f"on {os.cpu_count()} CPUs (load average at the end: "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}, the soak's own load included).",
        "",
        f"Setup: {setup['users']} users ({setup['distinct_accounts']} demo accounts, "
        f"~{setup['pages_per_user']} pages each); gunicorn {setup['gunicorn']}; "
        f"{setup['postgres']}; {setup['redis']}.",
        "",
        text,
    ]
    if notes:
        block += ["", "Notes:", *[f"- {n}" for n in notes]]
    block.append("<!-- soak:end -->")
    content = path.read_text() if path.exists() else "# Reliability\n\n"
    new = "\n".join(block)
    if "<!-- soak:begin -->" in content:
        content = re.sub(
            r"<!-- soak:begin -->.*?<!-- soak:end -->", lambda _: new, content, flags=re.S
        )
    else:
        content = content.rstrip() + "\n\n" + new + "\n"
    path.write_text(content)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="steady phase, seconds")
    parser.add_argument(
        "--phase-duration", type=float, default=40, help="Redis and PostgreSQL phases, seconds"
    )
    parser.add_argument("--think", type=float, default=0.0, help="mean pause between requests")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) * 2 + 1)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-name", default="portal_soak")
    parser.add_argument(
        "--shared-services",
        action="store_true",
        help="use (and restart) the machine's PostgreSQL 5432 and Redis 6379",
    )
    parser.add_argument("--skip-redis", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--fail-fast-ms", type=float, default=5000, help="slowest allowed 503")
    parser.add_argument(
        "--recovery-limit", type=float, default=15, help="seconds allowed to recover"
    )
    parser.add_argument("--record", type=Path, help="write the figures into this Markdown file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    parser.add_argument(
        "--max-total", type=float, default=900, help="hard limit for the whole run, seconds"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 500 or not 1 <= args.duration <= 3600:
        parser.error("users must be 1-500 and duration 1-3600 s")

    soak = Soak(args)
    # A watchdog: the whole run is bounded whatever happens.
    watchdog = threading.Timer(args.max_total, lambda: os._exit(3))
    watchdog.daemon = True
    watchdog.start()
    code = 2
    try:
        code = soak.run()
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", "") or ""
        log(f"setup or run failed: {exc} {detail[-2000:]}")
        code = 2
    finally:
        soak.teardown()
        watchdog.cancel()
    if soak.results["phases"]:
        text = table(soak.results)
        print("\n" + text)
        for note in soak.notes:
            print(f"note: {note}")
        if args.record and code != 2:
            command = (
                "make soak"
                if os.environ.get("MAKELEVEL")
                else shlex.join(["scripts/soak.py", *(argv if argv is not None else sys.argv[1:])])
            )
            record(args.record, text, command, soak.results, soak.notes)
            log(f"figures written to {args.record}")
    return code


if __name__ == "__main__":
    sys.exit(main())
