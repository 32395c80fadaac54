#!/usr/bin/env python3
"""`make cluster`: two web nodes, two Celery workers and one beat, loaded; one web node and one
worker killed mid-run. Bounded in time, loopback only.

1. Recreates the PostgreSQL database `cluster` on 127.0.0.1:5432 and flushes Redis db 5;
   production settings (DEBUG off, PAGE_CACHE on, one random SECRET_KEY for every process;
   plain HTTP on loopback, so no https redirect or secure cookies); runs the release step
   (scripts/release.sh) and loads the demo data.
2. Starts the Procfile's processes (the same command lines): `web` twice on two free ports,
   `worker` twice (2 processes each), `beat` once; waits for /readyz on both nodes.
3. Signed-in users (the demo accounts, logged in through the login form with its CSRF token)
   request pages through a small load balancer (round robin over the nodes its health check
   sees alive; a GET refused by a dead node is retried once on the other, as a proxy's
   "next upstream" does; a POST is not) and now and then log an activity on a partnership
   they may edit (the form's CSRF token, then a POST); each write's title is unique and kept.
4. Meanwhile: a session created on node 1 is used on node 2, and a write on node 1 must be on
   node 2's next page (page cache); reminder scans (`send_reminders --today D`) run two at a
   time, "one from each side", for several dates; worker 1 is SIGKILLed while deliveries are
   in flight; web node 1 is SIGKILLed (its whole process group) half-way.
5. Checks, with SQL on the database: no 5xx but the killed node's in-flight requests; the
   surviving node answered everything; every write acknowledged (a redirect) is stored once;
   nobody was sent back to the login page; the reminder rows have no duplicate and none is
   lost — every row ends sent (or waiting for its digest), the killed worker's tasks being
   re-delivered (acks_late, CELERY_VISIBILITY_TIMEOUT short here) and a claim it left behind
   taken over by a later scan (ageing the claim by SQL stands for the hour of STUCK_AFTER).
6. Prints the figures; with `--record FILE` writes them into FILE between markers.

Exit status: 0 when every check holds, 1 otherwise, 2 when the setup failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import email
import email.policy
import http.cookiejar
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
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

# --- Names the application's restructure may change: one place each ---------------------------
COMMANDS = {
    "load_demo": "load_demo",  # the demo dataset and its logins
    "send_reminders": "send_reminders",  # one reminder scan; --today YYYY-MM-DD
}
RELEASE_SCRIPT = "scripts/release.sh"  # check --deploy, migrate, compilemessages, collectstatic
REMINDER_TABLE = "notifications_reminder"
ACTIVITY_TABLE = "partnerships_activity"
ACTIVITY_FORM = "/partnerships/{pk}/activities/add/"  # partnerships:activity_add
DETAIL_PAGE = "/partnerships/{pk}/"  # partnerships:detail (cached per session)
LOGIN_PAGE = "/accounts/login/"
LIST_PAGES = ("/", "/partnerships/", "/cities/")
# Reminder statuses that end a row's journey (notifications/models/reminders.py): sent,
# waiting for the weekly or the daily digest (event notifications), in the portal only, snoozed.
DONE_STATUSES = {"sent", "digest", "daily", "quiet", "snoozed"}
IN_FLIGHT_STATUSES = {"pending", "sending"}
# -------------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
if not (VENV_BIN / "python").exists():
    VENV_BIN = Path(sys.executable).parent
PYTHON = str(VENV_BIN / "python")
HOST = "127.0.0.1"
REQUEST_TIMEOUT = 15.0
SETUP_TIMEOUT = 300
VISIBILITY_TIMEOUT = 10  # seconds before a dead worker's unacknowledged task is delivered again
RESTORE_INTERVAL = 2  # how often the surviving worker looks for such tasks


def log(message: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        time.sleep(interval)
    return None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))]


def procfile() -> dict[str, str]:
    """The process definitions, read from the Procfile: the cluster runs the same lines."""
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            processes[name.strip()] = command.strip()
    return processes


# --- HTTP: users and a load balancer -------------------------------------------------------------


@dataclass
class Sample:
    start: float
    end: float
    node: int
    status: int  # 0: no HTTP answer (refused, reset, timed out)
    method: str
    path: str
    retry: bool = False  # a GET re-sent to the other node after a refusal


@dataclass
class Write:
    title: str
    partnership: int
    node: int
    start: float
    end: float
    status: int
    acknowledged: bool


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    login_redirects: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def write(self, write: Write) -> None:
        with self.lock:
            self.writes.append(write)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Balancer:
    """Round robin over the nodes it believes alive. A node is out when a connection to it is
    refused or reset (by a user's request, at once, or by the health check: GET /healthz every
    0.5 s) and back when /healthz answers again. A slow answer is not a dead node: a timeout
    changes nothing (a busy survivor must not be taken out). With every node out it tries them
    all, as nginx does."""

    def __init__(self, bases: list[str]):
        self.bases = bases
        self.alive = set(range(len(bases)))
        self.lock = threading.Lock()
        self.turn = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def start(self):
        self.thread.start()

    def _watch(self):
        while not self.stop.wait(0.5):
            for node, base in enumerate(self.bases):
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                        ok = r.status == 200
                except urllib.error.HTTPError:
                    ok = False
                except (urllib.error.URLError, OSError) as exc:
                    reason = getattr(exc, "reason", exc)
                    if isinstance(reason, TimeoutError):
                        continue  # slow, not dead
                    ok = False
                with self.lock:
                    (self.alive.add if ok else self.alive.discard)(node)

    def down(self, node: int) -> None:
        with self.lock:
            self.alive.discard(node)

    def pick(self, avoid: int | None = None) -> int:
        with self.lock:
            everyone = set(range(len(self.bases)))
            nodes = sorted(self.alive - {avoid}) or sorted(everyone - {avoid}) or [0]
            self.turn += 1
            return nodes[self.turn % len(nodes)]


class User:
    """A browser: one cookie jar for the portal whichever node answers (cookies do not depend
    on the port), no redirects followed (a 302 to the login page is a lost session)."""

    def __init__(self, bases, username, password, recorder: Recorder, balancer: Balancer):
        self.bases, self.username, self.password = bases, username, password
        self.recorder, self.balancer = recorder, balancer
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.pages: list[str] = []
        self.editable: list[int] = []

    def raw(self, node: int, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.bases[node] + path, data=body, method=method)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.read(), response.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            content = exc.read()
            location = exc.headers.get("Location", "")
            exc.close()
            return exc.code, content, location
        except (urllib.error.URLError, OSError, TimeoutError):
            return 0, b"", ""

    def request(self, method: str, path: str, data=None, node: int | None = None, record=True):
        """Through the balancer (or to `node`); a refused GET is retried once elsewhere."""
        node = self.balancer.pick() if node is None else node
        started = time.monotonic()
        status, body, location = self.raw(node, method, path, data)
        sample = Sample(started, time.monotonic(), node, status, method, path)
        if record:
            self.recorder.add(sample)
        if status == 0 and method == "GET":
            self.balancer.down(node)
            other = self.balancer.pick(avoid=node)
            if other != node:
                started = time.monotonic()
                status, body, location = self.raw(other, method, path, data)
                sample = Sample(started, time.monotonic(), other, status, method, path, True)
                if record:
                    self.recorder.add(sample)
        if status == 302 and LOGIN_PAGE in location and record:
            self.recorder.login_redirects.append(sample)
        return status, body, location, sample.node

    def login(self, node: int) -> bool:
        status, body, _, _ = self.request("GET", LOGIN_PAGE, node=node, record=False)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not token:
            return False
        form = {
            "username": self.username,
            "password": self.password,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
        status, _, location, _ = self.request("POST", LOGIN_PAGE, form, node=node, record=False)
        return status == 302 and LOGIN_PAGE not in location

    def discover(self) -> None:
        """The pages this user reaches, and the partnerships it may log activities on."""
        _, listing, _, _ = self.request("GET", "/partnerships/", record=False)
        _, cities, _, _ = self.request("GET", "/cities/", record=False)
        details = sorted(set(re.findall(rb'href="/partnerships/(\d+)/"', listing)))[:8]
        city_pages = sorted(set(re.findall(rb'href="(/cities/\d+/)"', cities)))[:4]
        self.pages = [*LIST_PAGES, *(DETAIL_PAGE.format(pk=int(d)) for d in details)]
        self.pages += [c.decode() for c in city_pages]
        for pk in details[:6]:
            status, *_ = self.request("GET", ACTIVITY_FORM.format(pk=int(pk)), record=False)
            if status == 200:
                self.editable.append(int(pk))

    def log_activity(self, pk: int, title: str, node: int | None = None) -> Write | None:
        """The activity form: GET (CSRF token), then POST; acknowledged = a redirect to the
        partnership's page. Both requests go through the balancer unless `node` is given."""
        path = ACTIVITY_FORM.format(pk=pk)
        status, body, _, _ = self.request("GET", path, node=node)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if status != 200 or not token:
            return None
        form = {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "kind": "communication",
            "title": title,
            "occurred_on": dt.date.today().isoformat(),
            "description": "Logged by scripts/cluster.py",
            "participants": "3",
        }
        target = self.balancer.pick() if node is None else node
        started = time.monotonic()
        status, _, location, _ = self.request("POST", path, form, node=target)
        acknowledged = status == 302 and DETAIL_PAGE.format(pk=pk) in location
        write = Write(title, pk, target, started, time.monotonic(), status, acknowledged)
        self.recorder.write(write)
        return write

    def loop(self, stop: threading.Event, deadline: float, think: float, write_ratio: float, tag):
        rng = random.Random(self.username + str(id(self)))
        count = 0
        while not stop.is_set() and time.monotonic() < deadline and count < 200_000:
            count += 1
            if self.editable and rng.random() < write_ratio:
                self.log_activity(rng.choice(self.editable), f"{tag()} by {self.username}")
            else:
                self.request("GET", rng.choice(self.pages))
            if think:
                stop.wait(rng.uniform(0, 2 * think))


# --- The run ---------------------------------------------------------------------------------


class Cluster:
    def __init__(self, args):
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="portal-cluster-"))
        self.run_id = secrets.token_hex(4)
        self.ports = [free_port(), free_port()]
        self.bases = [f"http://{HOST}:{p}" for p in self.ports]
        self.redis_url = f"redis://{HOST}:6379/{args.redis_db}"
        self.env = self._environment()
        self.processes: dict[str, subprocess.Popen] = {}
        self.recorder = Recorder()
        self.balancer = Balancer(self.bases)
        self.results: dict = {"checks": {}, "figures": {}}
        self.notes: list[str] = []
        self.events: dict[str, float] = {}
        self.scans: list[dict] = []
        self.orphans: set = set()
        self._seq = 0
        self._seq_lock = threading.Lock()

    def _environment(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SENTRY_"))}
        env.update(
            PATH=f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}",
            PYTHON=PYTHON,
            DJANGO_SETTINGS_MODULE="config.settings.base",
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            DATABASE_URL=f"postgres://postgres@{HOST}:5432/{self.args.database}",
            REDIS_URL=self.redis_url,
            PAGE_CACHE="true",
            PORTAL_BASE_URL="https://portal.example.org",
            CELERY_QUEUE=f"cluster-{self.run_id}",
            CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            CELERY_RESTORE_INTERVAL=str(RESTORE_INTERVAL),
            CELERY_CONCURRENCY=str(self.args.worker_concurrency),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(self.folder / "mail"),
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            SESSION_COOKIE_SECURE="false",
            CSRF_COOKIE_SECURE="false",
            STATIC_ROOT=str(self.folder / "static"),
            # One folder for every node: the shared volume (or bucket) of a real cluster.
            MEDIA_ROOT=str(self.folder / "media"),
            BIND_HOST=HOST,
            WEB_CONCURRENCY=str(self.args.web_workers),
            GUNICORN_THREADS=str(self.args.threads),
            LOG_FORMAT="json",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    # plumbing

    def run(self, argv, *, timeout=SETUP_TIMEOUT, check=True, env=None):
        return subprocess.run(
            argv,
            cwd=ROOT,
            env=env or self.env,
            timeout=timeout,
            check=check,
            capture_output=True,
            text=True,
        )

    def sql(self, query: str) -> list[list[str]]:
        result = self.run(
            [
                *("psql", "-h", HOST, "-U", "postgres", "-d", self.args.database),
                *("-X", "-q", "-A", "-t", "-F", "\t", "-c", query),
            ],
            timeout=60,
        )
        return [line.split("\t") for line in result.stdout.splitlines() if line]

    def start(self, name: str, process_type: str, extra_args: str = "", **env) -> None:
        """A Procfile process, in its own process group (so a kill takes all of it)."""
        command = procfile()[process_type] + (f" {extra_args}" if extra_args else "")
        logfile = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            ["sh", "-c", f"exec {command}"],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        logfile.close()

    def kill(self, name: str) -> float:
        """SIGKILL the process and all its children: a machine dying, nothing graceful."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        at = time.monotonic()
        process.wait(timeout=10)
        return at

    def teardown(self) -> None:
        self.balancer.stop.set()
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5  # nothing to save: a short grace, then SIGKILL
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()
        if not self.args.keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    # setup

    def setup(self) -> list[tuple[str, str]]:
        log(f"work folder {self.folder}; run {self.run_id}")
        psql = ["psql", "-h", HOST, "-U", "postgres", "-X", "-q", "-c"]
        self.run([*psql, f'DROP DATABASE IF EXISTS "{self.args.database}" WITH (FORCE)'])
        self.run([*psql, f'CREATE DATABASE "{self.args.database}"'])
        self.run(["redis-cli", "-u", self.redis_url, "flushdb"], timeout=30)
        (self.folder / "mail").mkdir()
        log("release step (scripts/release.sh: check --deploy, migrate, messages, static)")
        began = time.monotonic()
        self.run(["sh", RELEASE_SCRIPT])
        self.results["figures"]["release_s"] = round(time.monotonic() - began, 1)
        log("starting web 1 and 2, worker 1 and 2, beat (the Procfile's lines); demo data")
        for n, port in enumerate(self.ports, 1):
            self.start(f"web{n}", "web", PORT=str(port))
        for n in (1, 2):
            self.start(f"worker{n}", "worker", f"--hostname cluster-worker-{n}@%h")
        self.start("beat", "beat")
        demo = self.run([PYTHON, "manage.py", COMMANDS["load_demo"]]).stdout
        logins = self._demo_logins(demo)
        if not logins:
            raise RuntimeError("load_demo printed no logins")
        self.results["figures"]["reminders_before"] = self._reminder_count()
        for n, base in enumerate(self.bases, 1):
            ok = wait_until(lambda b=base: urllib.request.urlopen(b + "/healthz", timeout=2), 90)
            if not ok:
                raise RuntimeError(f"web{n} did not answer; see {self.folder}/web{n}.log")
        for n, base in enumerate(self.bases, 1):
            if not wait_until(lambda b=base: self._ready(b), 90, 0.5):
                raise RuntimeError(f"web{n} never ready: {self._ready_body(base)}")
        log("both nodes ready (database, Redis, a worker's heartbeat, media)")
        return logins

    def _ready(self, base: str) -> bool:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            return response.status == 200

    def _ready_body(self, base: str) -> str:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                return response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.read().decode()
        except Exception as exc:
            return repr(exc)

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

    def users(self, logins) -> list[User]:
        """Sign every user in (alternately on node 1 and node 2), four at a time."""
        from concurrent.futures import ThreadPoolExecutor

        def sign_in(n: int) -> User:
            username, password = logins[n % len(logins)]
            user = User(self.bases, username, password, self.recorder, self.balancer)
            if not any(user.login(n % 2) for _ in range(3)):
                raise RuntimeError(f"{username} could not log in")
            user.discover()
            return user

        with ThreadPoolExecutor(max_workers=4) as pool:
            users = list(pool.map(sign_in, range(self.args.users)))
        writers = sum(1 for u in users if u.editable)
        log(f"{len(users)} users signed in ({writers} may log activities)")
        if not writers:
            raise RuntimeError("no demo user may log an activity on any partnership")
        return users

    def next_title(self) -> str:
        with self._seq_lock:
            self._seq += 1
            return f"cluster {self.run_id} #{self._seq:05d}"

    # reminders

    def _reminder_count(self) -> int:
        return int(self.sql(f"SELECT count(*) FROM {REMINDER_TABLE}")[0][0])

    def reminder_statuses(self) -> dict[str, int]:
        rows = self.sql(f"SELECT status, count(*) FROM {REMINDER_TABLE} GROUP BY status")
        return {status: int(n) for status, n in rows}

    def reminder_duplicates(self) -> int:
        keys = "kind, partnership_id, object_id, occurrence"
        query = f"""
            SELECT coalesce(sum(n - 1), 0) FROM (
                SELECT count(*) AS n FROM {REMINDER_TABLE} WHERE recipient_id IS NOT NULL
                GROUP BY {keys}, recipient_id HAVING count(*) > 1
                UNION ALL
                SELECT count(*) AS n FROM {REMINDER_TABLE} WHERE recipient_id IS NULL
                GROUP BY {keys}, lower(recipient_email) HAVING count(*) > 1
            ) AS duplicated"""
        return int(self.sql(query)[0][0])

    def unacked(self) -> int:
        import redis

        return redis.Redis.from_url(self.redis_url, socket_timeout=2).hlen("unacked")

    def scan(self, days: list[int], label: str) -> list[subprocess.Popen]:
        """Scans started at once, one per date ("one from each side" when a date repeats)."""
        today = dt.date.today()
        started = []
        for n, offset in enumerate(days):
            date = (today + dt.timedelta(days=offset)).isoformat()
            argv = [PYTHON, "manage.py", COMMANDS["send_reminders"], "--today", date]
            process = subprocess.Popen(
                argv, cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            process.info = {"round": label, "side": n % 2 + 1, "today": date}
            started.append(process)
        return started

    def finish_scans(self, processes: list[subprocess.Popen]) -> None:
        for process in processes:
            try:
                out, err = process.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                out, err = process.communicate()
            info = {**process.info, "rc": process.returncode}
            summary = re.search(rb"(\d+) new reminder", out or b"")
            info["new"] = int(summary.group(1)) if summary else None
            if process.returncode:
                info["error"] = (err or b"").decode(errors="replace").strip()[-300:]
            self.scans.append(info)
        # A scan that lost a deadlock to its twin (PostgreSQL aborts one) is run again, as
        # the scan task's autoretry would.
        for info in [s for s in self.scans if s["rc"] and not s.get("rerun")]:
            info["rerun"] = True
            again = self.run(
                [PYTHON, "manage.py", COMMANDS["send_reminders"], "--today", info["today"]],
                check=False,
                timeout=120,
            )
            info["rerun_rc"] = again.returncode
            self.notes.append(
                f"send_reminders --today {info['today']} (side {info['side']}) failed "
                f"({info.get('error', '')[-120:]!r}); run again: exit {again.returncode}"
            )

    # the events during the load

    def probe_consistency(self, user: User) -> None:
        """A session from node 1 on node 2; a write on node 1 on node 2's next page."""
        pk = user.editable[0]
        status, _, location, _ = user.request("GET", "/", node=1, record=False)
        session_ok = status == 200
        self.results["figures"]["session_probe"] = f"{status} {location}".strip()
        page = DETAIL_PAGE.format(pk=pk)
        user.request("GET", page, node=1, record=False)  # cached on node 2's side now
        user.request("GET", page, node=1, record=False)
        title = self.next_title() + " probe"
        write = user.log_activity(pk, title, node=0)
        _, body, _, _ = user.request("GET", page, node=1, record=False)
        cache_ok = bool(write and write.acknowledged) and title.encode() in body
        self.results["checks"]["session_across_nodes"] = (
            f"{'OK' if session_ok else 'FAILED'}: a session signed in on node 1 opened the "
            f"dashboard on node 2 ({self.results['figures']['session_probe']})"
        )
        self.results["checks"]["page_cache_across_nodes"] = (
            f"{'OK' if cache_ok else 'FAILED'}: an activity logged on node 1 "
            f"({write.status if write else 'no form'}) was on node 2's next partnership page"
            f"{'' if cache_ok else ' — missing'}"
        )

    def kill_worker_when_busy(self, scans: list[subprocess.Popen], limit: float) -> None:
        """SIGKILL worker 1 while it holds delivery tasks taken from the queue.

        kombu keeps each message a worker took in the Redis hash `unacked` until the task is
        acknowledged, after it ran (acks_late). To know which tasks are worker 1's, worker 2
        is paused (SIGSTOP) meanwhile: the tasks that appear in `unacked` after the pause are
        worker 1's. Once worker 1 holds some with more waiting in the queue (or after `limit`
        seconds, or a few seconds after the `scans` ended, in any case) it is killed and
        worker 2 resumes (SIGCONT). A scan can take half a minute on a busy machine."""
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
        queue = self.env["CELERY_QUEUE"]
        worker2 = self.processes["worker2"].pid
        os.killpg(worker2, signal.SIGSTOP)
        try:
            before = set(client.hkeys("unacked"))  # worker 2's, frozen with it
            deadline = time.monotonic() + limit
            mine: set = set()
            queued = polls = most_mine = most_queued = 0
            scans_done_at = None
            while time.monotonic() < deadline:
                if scans_done_at is None and all(p.poll() is not None for p in scans):
                    scans_done_at = time.monotonic()
                if scans_done_at and time.monotonic() > scans_done_at + 5:
                    break
                mine = set(client.hkeys("unacked")) - before
                queued = client.llen(queue)
                polls += 1
                most_mine, most_queued = max(most_mine, len(mine)), max(most_queued, queued)
                if mine and queued:
                    break
                time.sleep(0.003)
            self.results["figures"]["worker_kill_poll"] = (
                f"{polls} polls, before {len(before)}, most {most_mine} held / {most_queued} queued"
            )
            self.events["worker_kill"] = self.kill("worker1")
            held = set(client.hkeys("unacked")) - before
        finally:
            os.killpg(worker2, signal.SIGCONT)
        statuses = self.reminder_statuses()
        self.orphans = held  # nobody acknowledges them now: the visibility timeout will
        figures = self.results["figures"]
        figures["worker_kill"] = {
            "tasks_held_by_worker_1": len(held),
            "tasks_queued": queued,
            "rows_in_flight": sum(statuses.get(s, 0) for s in IN_FLIGHT_STATUSES),
        }
        if not held:
            self.notes.append(
                "worker 1 held no task when it was killed: re-delivery was not exercised"
            )
        log(f"  worker 1 SIGKILLed ({figures['worker_kill']}; {figures.get('worker_kill_poll')})")

    def events_thread(self, users: list[User], t0: float, duration: float) -> threading.Thread:
        def at(fraction: float) -> None:
            time.sleep(max(0.0, t0 + duration * fraction - time.monotonic()))

        def events():
            """Scans are started without waiting for the previous round (a scan process
            takes seconds to start); the load goes on until they have all finished."""
            try:
                at(0.05)
                self.probe_consistency(self.probe)
                at(0.1)
                log("  reminder scans, round 1: today, from both sides")
                first = self.scan([0, 0], "1")
                at(0.25)
                log("  reminder scans, round 2: +30 from both sides, +100; worker 1 to be killed")
                second = self.scan([30, 30, 100], "2")
                self.kill_worker_when_busy(second, limit=120)
                third = []
                if duration >= 30:  # the short form keeps to two rounds
                    at(0.6)
                    log("  reminder scans, round 3: +200, from both sides")
                    third = self.scan([200, 200], "3")
                for batch in (first, second, third):
                    self.finish_scans(batch)
            except Exception as exc:  # reported, never silently lost
                self.notes.append(f"events thread failed: {exc!r}")

        def web_kill():
            at(0.5)
            self.events["web_kill"] = self.kill("web1")
            log("  web node 1 SIGKILLed")

        threads = [threading.Thread(target=events), threading.Thread(target=web_kill)]
        for thread in threads:
            thread.start()
        return threads

    # the checks

    def wait_for_reminders(self, limit: float) -> dict[str, int]:
        """Until nothing is left to deliver: no row pending and no task held by a worker (a
        live worker holds the task of a row it is sending; the dead one's come back after the
        visibility timeout). A row still `sending` then is a claim the dead worker left."""
        import redis

        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)
        deadline = time.monotonic() + limit
        statuses, quiet = self.reminder_statuses(), 0
        while time.monotonic() < deadline:
            statuses = self.reminder_statuses()
            idle = not client.hlen("unacked") and not client.llen(self.env["CELERY_QUEUE"])
            quiet = quiet + 1 if idle and not statuses.get("pending", 0) else 0
            if quiet >= 2:  # twice in a row, half a second apart
                break
            time.sleep(0.5)
        return statuses

    def check_reminders(self) -> None:
        figures = self.results["figures"]
        log(
            "waiting for the deliveries (the killed worker's tasks come back after "
            f"{VISIBILITY_TIMEOUT} s)"
        )
        after_kill = time.monotonic() - self.events.get("worker_kill", time.monotonic())
        statuses = self.wait_for_reminders(max(30.0, VISIBILITY_TIMEOUT * 3 - after_kill))
        figures["reminders_after_redelivery"] = statuses
        orphans, still = self.orphans, set()
        if orphans:
            import redis

            still = orphans & set(redis.Redis.from_url(self.redis_url).hkeys("unacked"))
            figures["dead_worker_tasks_redelivered"] = (
                f"{len(orphans) - len(still)} of {len(orphans)}"
            )
        left = sum(statuses.get(s, 0) for s in IN_FLIGHT_STATUSES)
        figures["claims_left_by_dead_worker"] = statuses.get("sending", 0)
        if left:
            # A row the killed worker had claimed ("sending") waits for the claim to go stale:
            # a later scan hands it out again after STUCK_AFTER (an hour). Age the claims and
            # creation times by SQL instead of waiting, then run one more scan.
            self.sql(
                f"UPDATE {REMINDER_TABLE} SET claimed_at = claimed_at - interval '2 hours', "
                "created_at = created_at - interval '2 hours' "
                "WHERE status IN ('pending', 'sending')"
            )
            rescan = self.run(
                [PYTHON, "manage.py", COMMANDS["send_reminders"]], check=False, timeout=120
            )
            figures["rescan"] = rescan.stdout.strip().splitlines()[:1]
            statuses = self.wait_for_reminders(30)
        figures["reminders_final"] = statuses
        rows = sum(statuses.values())
        lost = sum(n for s, n in statuses.items() if s not in DONE_STATUSES)
        duplicates = self.reminder_duplicates()
        figures["reminder_rows"] = rows
        figures["reminder_duplicates"] = duplicates
        emails = self._emails()
        figures["emails"] = emails
        ok = rows > figures["reminders_before"] and not lost and not duplicates and not still
        self.results["checks"]["reminders"] = (
            f"{'OK' if ok else 'FAILED'}: {rows} rows {dict(sorted(statuses.items()))}, "
            f"{duplicates} duplicates, {lost} lost (pending, sending or failed at the end); "
            f"{len(orphans) - len(still)} of the {len(orphans)} task(s) the killed worker held "
            f"delivered again; {figures['claims_left_by_dead_worker']} claim(s) it left taken "
            "over by a later scan; "
            f"{emails['messages']} emails, {emails['duplicated']} sent twice"
        )

    def _emails(self) -> dict:
        seen: Counter = Counter()
        for path in sorted((self.folder / "mail").glob("*.log")):
            for chunk in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                if chunk.strip():
                    message = email.message_from_string(
                        chunk.lstrip("\n"), policy=email.policy.default
                    )
                    if message["To"]:
                        seen[(str(message["To"]).lower(), str(message["Subject"]))] += 1
        return {
            "messages": sum(seen.values()),
            "duplicated": sum(n - 1 for n in seen.values() if n > 1),
        }

    def check_http(self) -> None:
        samples = self.recorder.samples
        kill = self.events.get("web_kill")
        figures = self.results["figures"]
        killed_in_flight = [
            s for s in samples if s.node == 0 and kill and s.start < kill <= s.end + 0.05
        ]
        refused_after = [s for s in samples if s.node == 0 and kill and s.start >= kill]
        outside = [s for s in samples if s not in killed_in_flight]
        fives = [s for s in outside if s.status >= 500]
        survivor = [s for s in samples if s.node == 1]
        survivor_failed = [s for s in survivor if s.status == 0 or s.status >= 500]
        after_kill = [s for s in survivor if kill and s.start >= kill]
        latencies = [s.end - s.start for s in samples if s.status]
        figures["requests"] = {
            "total": len(samples),
            "by_node": dict(Counter(f"node {s.node + 1}" for s in samples)),
            "statuses": dict(sorted(Counter(str(s.status) for s in samples).items())),
            "retried_on_the_other_node": sum(1 for s in samples if s.retry),
            "p50_ms": round(percentile(latencies, 50) * 1000),
            "p95_ms": round(percentile(latencies, 95) * 1000),
            "max_ms": round(max(latencies, default=0) * 1000),
        }
        figures["killed_node"] = {
            "in_flight_at_kill": len(killed_in_flight),
            "in_flight_unanswered": sum(1 for s in killed_in_flight if s.status == 0),
            "sent_to_it_after_kill_refused": sum(1 for s in refused_after if s.status == 0),
        }
        figures["surviving_node_after_kill"] = {
            "answered": sum(1 for s in after_kill if s.status),
            "2xx_3xx": sum(1 for s in after_kill if 200 <= s.status < 400),
        }
        ok = not fives and not survivor_failed and figures["surviving_node_after_kill"]["2xx_3xx"]
        self.results["checks"]["http"] = (
            f"{'OK' if ok else 'FAILED'}: {len(fives)} × 5xx outside the killed node's "
            f"{len(killed_in_flight)} in-flight requests; surviving node: "
            f"{len(survivor_failed)} failed of {len(survivor)}, "
            f"{figures['surviving_node_after_kill']['answered']} answered after the kill"
        )
        redirects = self.recorder.login_redirects
        self.results["checks"]["sessions"] = (
            f"{'OK' if not redirects else 'FAILED'}: {len(redirects)} request(s) of signed-in "
            "users sent to the login page (sessions are shared: cached_db in Redis/PostgreSQL)"
        )

    def check_writes(self) -> None:
        writes = self.recorder.writes
        kill = self.events.get("web_kill", float("inf"))
        acknowledged = [w for w in writes if w.acknowledged]
        stored = dict(
            (title, int(n))
            for title, n in self.sql(
                f"SELECT title, count(*) FROM {ACTIVITY_TABLE} "
                f"WHERE title LIKE 'cluster {self.run_id} %' GROUP BY title"
            )
        )
        missing = [w for w in acknowledged if stored.get(w.title, 0) != 1]
        unacknowledged = [w for w in writes if not w.acknowledged]
        refused_by_form = [w for w in unacknowledged if w.status == 200]
        self.results["figures"]["writes"] = {
            "attempted": len(writes),
            "acknowledged": len(acknowledged),
            "acknowledged_before_web_kill": sum(1 for w in acknowledged if w.end < kill),
            "acknowledged_by_node": dict(Counter(f"node {w.node + 1}" for w in acknowledged)),
            "not_acknowledged": len(unacknowledged),
            "not_acknowledged_but_stored": sum(1 for w in unacknowledged if w.title in stored),
            "refused_by_the_form": len(refused_by_form),
            "stored": sum(stored.values()),
        }
        ok = acknowledged and not missing and not refused_by_form
        self.results["checks"]["writes"] = (
            f"{'OK' if ok else 'FAILED'}: {len(acknowledged)} acknowledged activity writes, "
            f"{len(missing)} missing or stored twice in {ACTIVITY_TABLE}; "
            f"{len(unacknowledged)} unacknowledged (the killed node's), "
            f"{self.results['figures']['writes']['not_acknowledged_but_stored']} of them stored"
        )

    # main

    def main(self) -> int:
        args = self.args
        logins = self.setup()
        users = self.users(logins)
        # The probe: a session of its own, signed in on node 1, for the cross-node checks.
        writer = next(u for u in users if u.editable)
        self.probe = User(self.bases, writer.username, writer.password, Recorder(), self.balancer)
        if not self.probe.login(0):
            raise RuntimeError("the probe user could not log in on node 1")
        self.probe.editable = writer.editable
        self.balancer.start()
        log(f"load: {len(users)} users through both nodes for {args.duration:.0f} s")
        stop = threading.Event()
        t0 = time.monotonic()
        deadline = t0 + args.duration + 180  # a cap: the load stops when the events are done
        loops = [
            threading.Thread(
                target=u.loop,
                args=(stop, deadline, args.think, args.write_ratio, self.next_title),
                daemon=True,
            )
            for u in users
        ]
        for thread in loops:
            thread.start()
        events = self.events_thread(users, t0, args.duration)
        time.sleep(max(0.0, t0 + args.duration - time.monotonic()))
        for thread in events:  # scans still running: the load goes on meanwhile
            thread.join(timeout=max(1.0, deadline - time.monotonic()))
        stop.set()
        for thread in loops:
            thread.join(timeout=REQUEST_TIMEOUT + 5)
        self.results["figures"]["load_s"] = round(time.monotonic() - t0, 1)
        self.results["figures"]["scans"] = self.scans
        self.check_http()
        self.check_writes()
        self.check_reminders()
        for key in ("session_across_nodes", "page_cache_across_nodes"):
            self.results["checks"].setdefault(key, "FAILED: the probe did not run")
        missed = [e for e in ("web_kill", "worker_kill") if e not in self.events]
        failed = [n for n in self.notes if n.startswith("events thread failed")]
        if missed or failed:
            self.results["checks"]["events"] = f"FAILED: {missed or ''} {failed or ''}".strip()
        return 0 if all(v.startswith("OK") for v in self.results["checks"].values()) else 1


# --- Report ------------------------------------------------------------------------------------


def table(results: dict) -> str:
    f = results["figures"]
    req, killed, survivor, writes = (
        f.get("requests", {}),
        f.get("killed_node", {}),
        f.get("surviving_node_after_kill", {}),
        f.get("writes", {}),
    )

    def scan(s: dict) -> str:
        outcome = s["new"] if s["new"] is not None else f"exit {s['rc']}"
        return f"{s['today']} side {s['side']}: {outcome}"

    scans = ", ".join(scan(s) for s in f.get("scans", []))
    rows = [
        ("requests (node 1 / node 2)", f"{req.get('total')} ({req.get('by_node')})"),
        ("statuses", f"{req.get('statuses')}"),
        (
            "latency p50 / p95 / max",
            f"{req.get('p50_ms')} / {req.get('p95_ms')} / {req.get('max_ms')} ms",
        ),
        ("GETs retried on the other node (balancer)", req.get("retried_on_the_other_node")),
        (
            "killed node: in flight at the kill (unanswered)",
            f"{killed.get('in_flight_at_kill')} ({killed.get('in_flight_unanswered')})",
        ),
        (
            "killed node: sent to it after the kill, refused",
            killed.get("sent_to_it_after_kill_refused"),
        ),
        (
            "surviving node after the kill: answered (2xx/3xx)",
            f"{survivor.get('answered')} ({survivor.get('2xx_3xx')})",
        ),
        (
            "activity writes acknowledged (before the web kill)",
            f"{writes.get('acknowledged')} ({writes.get('acknowledged_before_web_kill')}) of "
            f"{writes.get('attempted')}; by node {writes.get('acknowledged_by_node')}",
        ),
        (
            "writes not acknowledged / of them stored",
            f"{writes.get('not_acknowledged')} / {writes.get('not_acknowledged_but_stored')}",
        ),
        ("reminder scans (new rows per scan)", scans),
        ("worker 1 killed with", f.get("worker_kill")),
        ("its tasks delivered again (visibility timeout)", f.get("dead_worker_tasks_redelivered")),
        ("reminders after re-delivery", f.get("reminders_after_redelivery")),
        ("reminders at the end", f.get("reminders_final")),
        (
            "reminder emails (sent twice)",
            f"{f.get('emails', {}).get('messages')} ({f.get('emails', {}).get('duplicated')})",
        ),
        ("release step", f"{f.get('release_s')} s"),
    ]
    lines = ["| figure | value |", "| --- | --- |"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    lines += ["", "| check | result |", "| --- | --- |"]
    lines += [f"| {k} | {v} |" for k, v in results["checks"].items()]
    return "\n".join(lines)


def record(path: Path, label: str, text: str, command: str, args, notes: list[str]) -> None:
    begin, end = f"<!-- cluster:{label}:begin -->", f"<!-- cluster:{label}:end -->"
    block = [
        begin,
        f"Last {label} run: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}, command "
        f"`{command}`, on {os.cpu_count()} CPUs shared with other work (load average at the "
        f"end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}). {args.users} users for "
        f"{args.duration:.0f} s; 2 web nodes × {args.web_workers} gunicorn workers × "
        f"{args.threads} threads, 2 Celery workers × {args.worker_concurrency}, 1 beat.",
        "",
        text,
    ]
    if notes:
        block += ["", "Notes:", *[f"- {n}" for n in notes]]
    block.append(end)
    new = "\n".join(block)
    content = path.read_text() if path.exists() else "# Reliability\n"
    if begin in content:
        content = re.sub(
            re.escape(begin) + ".*?" + re.escape(end), lambda _: new, content, flags=re.S
        )
    else:
        content = content.rstrip() + "\n\n" + new + "\n"
    path.write_text(content)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="load, seconds")
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between requests")
    parser.add_argument("--write-ratio", type=float, default=0.08)
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--database", default="cluster")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--label", help="which recorded block: full (default when ≥ 60 s) or short")
    parser.add_argument("--record", type=Path, help="write the figures into this Markdown file")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    parser.add_argument("--max-total", type=float, default=900, help="hard limit, seconds")
    args = parser.parse_args(argv)
    if not 5 <= args.duration <= 1800 or not 2 <= args.users <= 200:
        parser.error("duration must be 5-1800 s and users 2-200")
    label = args.label or ("full" if args.duration >= 60 else "short")

    cluster = Cluster(args)
    watchdog = threading.Timer(args.max_total, lambda: (cluster.teardown(), os._exit(3)))
    watchdog.daemon = True
    watchdog.start()
    began = time.monotonic()
    code = 2
    try:
        code = cluster.main()
    except (RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = getattr(exc, "stderr", "") or ""
        log(f"setup or run failed: {exc} {str(detail)[-2000:]}")
    finally:
        watchdog.cancel()
        cluster.teardown()
    took = time.monotonic() - began
    if cluster.results["checks"]:
        text = table(cluster.results)
        print("\n" + text)
        for note in cluster.notes:
            print(f"note: {note}")
        print(f"\n{'PASS' if code == 0 else 'FAIL'} in {took:.0f} s")
        if args.record and code != 2:
            given = list(argv if argv is not None else sys.argv[1:])
            if os.environ.get("MAKELEVEL"):
                extra = [a for a in given[2:]] if given[:1] == ["--record"] else given
                command = "make cluster" + (f' CLUSTER_ARGS="{shlex.join(extra)}"' if extra else "")
            else:
                command = shlex.join(["scripts/cluster.py", *given])
            cluster.notes.append(f"the whole run took {took:.0f} s")
            record(args.record, label, text, command, args, cluster.notes)
            log(f"figures written to {args.record}")
    return code


if __name__ == "__main__":
    sys.exit(main())
