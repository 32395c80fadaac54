"""The parts of the benchmark that need Django, run by bench/run.py in a subprocess.

    python bench/django_tasks.py prepare     # bench users + the pages to load, as JSON
    python bench/django_tasks.py mix         # officers of 8 cities, each with their portfolio's
                                             # pages, and a writer (bench/mix.py), as JSON
    python bench/django_tasks.py reminders   # time the reminder scan, as JSON
    python bench/django_tasks.py coordinator # a network coordinator's dashboard, in-process
    python bench/django_tasks.py miss        # the mix's pages and the admin changelist computed
                                             # in-process, page cache off: ms a page

Each prints one JSON object on their last line of output.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

PASSWORD = "bench-Passw0rd-loopback-only"  # a throwaway local database
OFFICER, ADMIN = "bench_officer", "bench_admin"


def _setup() -> None:
    import django

    django.setup()


def _route_names() -> dict[str, object]:
    from django.urls import URLPattern, URLResolver, get_resolver

    found: dict[str, object] = {}

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name:
                found[f"{namespace}:{p.name}" if namespace else p.name] = p

    walk(get_resolver().url_patterns)
    return found


def _discover(words: tuple[str, ...], partnership_pk: int) -> tuple[str | None, str]:
    """The path of the first named URL whose name holds one of `words`, reversed with no
    arguments or with the partnership's pk; (None, why) when there is none."""
    from django.urls import NoReverseMatch, reverse

    names = sorted(n for n in _route_names() if any(w in n.lower() for w in words))
    if not names:
        return None, f"no URL name containing {' or '.join(words)} (feature not merged yet)"
    for name in names:
        for args in ((), (partnership_pk,)):
            try:
                return reverse(name, args=args), f"URL name {name}"
            except NoReverseMatch:
                continue
    return None, f"found {names} but none reverses with no argument or a partnership pk"


def prepare() -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.urls import reverse

    from partnerships.models import CityMembership, Partner, Partnership, PartnershipMember

    User = get_user_model()
    # The officer works for the city with the most partnerships: the heaviest portfolio.
    city = (
        Partner.objects.annotate(
            n=Count("memberships", filter=Q(memberships__role=PartnershipMember.Role.HOME))
        )
        .order_by("-n", "pk")
        .first()
    )
    officer, _ = User.objects.get_or_create(username=OFFICER, defaults={"email": "o@bench.local"})
    officer.set_password(PASSWORD)
    officer.save()
    CityMembership.objects.get_or_create(
        user=officer, partner=city, defaults={"role": CityMembership.Role.OFFICER}
    )
    admin, _ = User.objects.get_or_create(username=ADMIN, defaults={"email": "a@bench.local"})
    admin.is_staff = admin.is_superuser = True
    admin.set_password(PASSWORD)
    admin.save()

    own = Partnership.objects.filter(members__partner=city)
    portfolio = own.count()
    # A mid-size partnership of that city: the median by activities among the running ones.
    running = list(
        own.filter(step__gte=7)
        .annotate(n=Count("activities", distinct=True))
        .order_by("n", "pk")
        .values_list("pk", "n")
    ) or list(own.order_by("pk").values_list("pk", "pk"))
    detail_pk, detail_activities = running[len(running) // 2]

    pages = {
        "dashboard": {"path": reverse("partnerships:dashboard"), "user": "officer"},
        "partnership list (step 7)": {
            "path": reverse("partnerships:list") + "?step=7",
            "user": "officer",
        },
        "partnership detail": {
            "path": reverse("partnerships:detail", args=[detail_pk]),
            "user": "officer",
            "note": f"pk {detail_pk}, {detail_activities} activities",
        },
        "partner directory search": {
            "path": reverse("partnerships:city_list") + "?q=Synthcity+001",
            "user": "officer",
        },
    }
    for label, words in (("public registry", ("registry",)), ("matchmaking", ("match",))):
        path, note = _discover(words, detail_pk)
        pages[label] = {"path": path, "user": "officer", "note": note}
    pages["admin changelist"] = {
        "path": reverse("admin:partnerships_partnership_changelist"),
        "user": "admin",
    }
    pages["healthz"] = {"path": reverse("healthz"), "user": None}
    maintenance = _as_production_keeps_it()
    return {
        "officer": OFFICER,
        "admin": ADMIN,
        "password": PASSWORD,
        "city": city.name,
        "portfolio": portfolio,
        "login": reverse("login"),
        "pages": pages,
        "maintenance": maintenance,
        "counts": {
            "partnerships": Partnership.objects.count(),
            "cities": Partner.objects.count(),
        },
    }


def _as_production_keeps_it() -> dict:
    """The database as production has it when people start work: the nightly task has scored
    every partnership for today (`refresh_health`), and PostgreSQL's statistics have seen it.
    Without this the first pages measured score the day themselves, and the planner keeps the
    statistics of before: autovacuum, which would refresh them in production, is off on this
    kind of machine, and one such plan made the dashboard's lists 42 ms instead of 5 ms."""
    from django.db import connection

    from partnerships.tasks import refresh_health

    started = time.perf_counter()
    refreshed = refresh_health()
    autovacuum = None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW autovacuum")
            autovacuum = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    return {
        "health_refreshed": refreshed,
        "analyzed": True,
        "autovacuum": autovacuum,
        "seconds": round(time.perf_counter() - started, 1),
    }


# The real mix (bench/mix.py): officers of this many cities, each over their own portfolio.
MIX_WRITE_TARGETS = 200
MIX_OFFICERS = 8
MIX_DETAILS = 40  # partnership pages per officer
MIX_LIST_PAGES = 6  # pages of the list per officer


def mix() -> dict:
    """An officer for each of the MIX_OFFICERS cities with the most partnerships, with the
    addresses they rotate over: the dashboard, the list (its pages, each step, two sorts,
    their cities only), their partnerships' pages, the city directory's search and their
    activities; and a writer, a coordinator (an admin) who logs activities while the mix runs
    (partnerships:activity_add, step 7) on MIX_WRITE_TARGETS running partnerships anywhere in
    the portal, in turn: one save a second somewhere, as people at work in many cities make
    them."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.http import urlencode

    from partnerships.models import CityMembership, Partner, Partnership, Step

    User = get_user_model()
    cities = list(
        Partner.objects.annotate(n=Count("memberships")).order_by("-n", "pk")[:MIX_OFFICERS]
    )
    officers = []
    listing = reverse("partnerships:list")
    for i, city in enumerate(cities, start=1):
        user, _ = User.objects.get_or_create(
            username=f"bench_mix_{i}", defaults={"email": f"mix{i}@bench.local"}
        )
        user.set_password(PASSWORD)
        user.save()
        CityMembership.objects.get_or_create(
            user=user, partner=city, defaults={"role": CityMembership.Role.OFFICER}
        )
        own = Partnership.objects.filter(members__partner=city).order_by("pk")
        paths = [reverse("partnerships:dashboard"), reverse("agenda:mine")]
        paths += [f"{listing}?page={n}" for n in range(1, MIX_LIST_PAGES + 1)]
        paths += [f"{listing}?step={n}" for n in range(1, 9)]
        paths += [f"{listing}?sort=updated", f"{listing}?sort=next_review", f"{listing}?scope=mine"]
        paths += [
            reverse("partnerships:detail", args=[pk])
            for pk in own.values_list("pk", flat=True)[:MIX_DETAILS]
        ]
        directory = reverse("partnerships:city_list")
        paths += [f"{directory}?{urlencode({'q': words})}" for words in (city.name[:6], city.name)]
        officers.append({"username": user.username, "city": city.name, "paths": paths})
    writer, _ = User.objects.get_or_create(
        username="bench_mix_writer", defaults={"email": "writer@bench.local"}
    )
    writer.set_password(PASSWORD)
    writer.is_superuser = writer.is_staff = True
    writer.save()
    # Running partnerships spread over the whole portal, every n-th by id.
    running = Partnership.objects.filter(
        status=Partnership.Status.ACTIVE, step__gte=Step.IMPLEMENTATION
    ).order_by("pk")
    every = max(1, running.count() // MIX_WRITE_TARGETS)
    targets = list(running.values_list("pk", flat=True)[::every][:MIX_WRITE_TARGETS])
    measured = Partnership.objects.filter(pk__in=targets, members__partner__in=cities)
    return {
        "password": PASSWORD,
        "login": reverse("login"),
        "officers": officers,
        "distinct_paths": len({(o["username"], p) for o in officers for p in o["paths"]}),
        "writer": {
            "username": writer.username,
            "targets": [
                {"path": reverse("partnerships:activity_add", args=[pk])} for pk in targets
            ],
            # How many of the targets are in the measured officers' portfolios.
            "targets_in_measured_cities": measured.distinct().count(),
            "form": {
                "kind": "communication",
                "title": "Benchmark call",
                "occurred_on": timezone.localdate().isoformat(),
                "description": "",
                "participants": "",
            },
        },
    }


# Realistic recipients for the reminder scan: most cities have officers with accounts (the
# synthetic data gives accounts to the bench's own users only, so a scan reminded nobody).
RECIPIENT_CITY_SHARE = 0.8
OFFICERS_PER_CITY = 2


def _officers_for_most_cities() -> int:
    """Two officers with accounts (and email addresses) in four cities of five that have
    none, in bulk; how many accounts were added."""
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef

    from partnerships.models import CityMembership, Partner

    User = get_user_model()
    bare = Partner.objects.exclude(Exists(CityMembership.objects.filter(partner=OuterRef("pk"))))
    cities = list(bare.order_by("pk").values_list("pk", flat=True))
    # Chosen by id, so that a later run (more cities seeded) gives the same ones and no more.
    chosen = [pk for pk in cities if pk % 5 < RECIPIENT_CITY_SHARE * 5]
    users = [
        User(
            username=f"bench_officer_{pk}_{n}",
            email=f"officer{n}.city{pk}@bench.local",
            password="!",  # no password: never signs in
        )
        for pk in chosen
        for n in range(OFFICERS_PER_CITY)
    ]
    User.objects.bulk_create(users, batch_size=2000, ignore_conflicts=True)
    ids = dict(
        User.objects.filter(username__startswith="bench_officer_").values_list("username", "pk")
    )
    CityMembership.objects.bulk_create(
        [
            CityMembership(
                user_id=ids[u.username],
                partner_id=int(u.username.split("_")[2]),
                role=CityMembership.Role.OFFICER,
            )
            for u in users
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(users)


DELIVERY_SAMPLE = 2000


def reminders() -> dict:
    """The daily reminder scan over every partnership, with most cities' officers as
    recipients, timed apart from the delivery it hands its reminders to: the scan creates and
    queues them; Celery workers send them in production. The delivery is timed here on the
    first DELIVERY_SAMPLE of them, one after another in this process (each claimed, its email
    rendered and sent to a dummy backend, marked sent), as one worker would. The bench's earlier
    reminders are deleted first, so that every run measures the same first scan."""
    from notifications import delivery
    from notifications import reminders as scanner
    from notifications.models import Reminder
    from partnerships.models import CityMembership, Partnership

    added = _officers_for_most_cities()
    Reminder.objects.all().delete()
    n = Partnership.objects.count()
    queued: list[int] = []
    started = time.perf_counter()
    outcome = scanner.scan(deliver=queued.extend)
    seconds = time.perf_counter() - started
    sample = queued[:DELIVERY_SAMPLE]
    started = time.perf_counter()
    sent = sum(delivery.deliver(pk) for pk in sample)
    delivering = time.perf_counter() - started
    return {
        "measured": True,
        "partnerships": n,
        "seconds": round(seconds, 3),
        "callable": "notifications.reminders.scan",
        "officer_accounts_added": added,
        "cities_with_officers": CityMembership.objects.values("partner").distinct().count(),
        "returned": f"created {outcome.created}, woken {outcome.woken}, "
        f"queued {len(outcome.queued)}, requeued {len(outcome.requeued)}",
        "reminders_sent": f"{sent} of a sample of {len(sample)} in {delivering:.1f} s "
        f"({sent / delivering if delivering else 0:.0f} a second in one process)",
    }


COORDINATOR_VISITS = 20


def coordinator() -> dict:
    """A network coordinator's dashboard (an admin's: every partnership), in this process with
    the page cache off, as the day goes: first the nightly recomputation of every running
    partnership's stored health (partnerships.tasks.refresh_health, timed), then visits each
    after a write somewhere in the portal (an activity logged in a running partnership, in
    turn, committed: its commit recomputes that partnership's stored health), each visit
    timed."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from partnerships import tasks
    from partnerships.models import Activity, HealthSummary, Partnership, Step

    admin, _ = get_user_model().objects.get_or_create(
        username="bench_coordinator", defaults={"email": "coordinator@bench.local"}
    )
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    today = timezone.localdate()
    # The state at midnight: every row was scored on an earlier day.
    HealthSummary.objects.update(scored_on=today - dt.timedelta(days=1))
    started = time.perf_counter()
    recomputed = tasks.refresh_health()
    nightly = time.perf_counter() - started
    running = Partnership.objects.filter(step__gte=Step.IMPLEMENTATION, status="active")
    targets = list(
        running.order_by("pk").values_list("pk", flat=True)[
            :: max(1, running.count() // COORDINATOR_VISITS)
        ]
    )
    url = reverse("partnerships:dashboard")
    client.get(url, secure=True)  # this process's first request (imports, template loading)
    times, queries = [], []
    for pk in targets[:COORDINATOR_VISITS]:
        with transaction.atomic():
            Activity.objects.create(
                partnership_id=pk,
                kind=Activity.Kind.COMMUNICATION,
                title="Bench: a call with the partner city",
                occurred_on=today,
            )
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries.append(len(ctx.captured_queries))
    times_ms = sorted(round(t * 1000, 1) for t in times)
    return {
        "measured": True,
        "partnerships": Partnership.objects.count(),
        "nightly_seconds": round(nightly, 2),
        "nightly_recomputed": recomputed,
        "visits": len(times),
        "median_ms": round(statistics.median(times_ms), 1),
        "max_ms": times_ms[-1],
        "queries": sorted(set(queries)),
    }


MISS_OFFICERS = 3
MISS_ROUNDS = 3


def _kind(path: str) -> str:
    """The mix's kinds of page, by address."""
    address, _, query = path.partition("?")
    if address.rstrip("/").split("/")[-1].isdigit():
        return "partnership page"
    if "cities" in address:
        return "city directory"
    if query:
        return "list"
    return address


def miss() -> dict:
    """The miss path without wrk's noise: the mix's pages (`mix`, its first MISS_OFFICERS
    officers) and the admin changelist (a superuser's), each computed in this process through
    Django's test client with the page cache off; every page visited once to warm the process,
    then MISS_ROUNDS rounds, each figure the best round's mean. The ratio of the two is the
    cache-off budget's "× the admin changelist" as the Python and the database see it."""
    import statistics
    from collections import defaultdict

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    data = mix()
    User = get_user_model()
    visitors = []
    for officer in data["officers"][:MISS_OFFICERS]:
        client = Client(HTTP_HOST="localhost")
        client.force_login(User.objects.get(username=officer["username"]))
        visitors.append((client, officer["paths"]))
    admin = Client(HTTP_HOST="localhost")
    admin.force_login(User.objects.get(username=data["writer"]["username"]))
    changelist = reverse("admin:partnerships_partnership_changelist")
    visitors.append((admin, [changelist] * 20))

    def visit(client, path) -> float:
        started = time.perf_counter()
        response = client.get(path, secure=True)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        return elapsed * 1000

    for client, paths in visitors:
        for path in paths:
            visit(client, path)
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    for _ in range(MISS_ROUNDS):
        times = defaultdict(list)
        for client, paths in visitors:
            for path in paths:
                kind = "admin changelist" if path == changelist else _kind(path)
                times[kind].append(visit(client, path))
        for kind, values in times.items():
            best[kind] = min(best.get(kind, float("inf")), statistics.mean(values))
            counts[kind] = len(values)
    pages = {k: v for k, v in best.items() if k != "admin changelist"}
    mix_ms = sum(pages[k] * counts[k] for k in pages) / sum(counts[k] for k in pages)
    return {
        "measured": True,
        "officers": len(visitors) - 1,
        "rounds": MISS_ROUNDS,
        "pages_ms": {k: round(v, 1) for k, v in sorted(pages.items())},
        "pages_count": {k: counts[k] for k in sorted(pages)},
        "mix_ms": round(mix_ms, 1),
        "admin_changelist_ms": round(best["admin changelist"], 1),
        "admin_over_mix": round(best["admin changelist"] / mix_ms, 2),
    }


if __name__ == "__main__":
    if sys.argv[1] in ("coordinator", "miss"):  # every visit computes the page
        os.environ["PAGE_CACHE"] = "off"
    _setup()
    tasks = {
        "prepare": prepare,
        "mix": mix,
        "reminders": reminders,
        "coordinator": coordinator,
        "miss": miss,
    }
    task = tasks[sys.argv[1]]
    print(json.dumps(task()))
