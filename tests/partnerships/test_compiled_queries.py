"""core.querysets.compiled_once: SQL compiled once for a marker id and run for any id gives
what the ORM gives (converted dates and times included; model instances with their related
objects and annotations; several arguments), and refuses a query that does not depend on its
id. The partnership page's query, compiled once per shape of reader, gives each reader their
own answer. core.querysets.custom_plans: a bulk job's queries planned for their own
parameters, the setting gone afterwards."""

from __future__ import annotations

import datetime as dt
import threading
from unittest.mock import patch

import pytest
from django.db import connection, connections, transaction
from django.db.models import Count, DateTimeField, F
from django.db.models.functions import Cast
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.querysets import MARKER, CompiledQuery, compiled_once, custom_plans, marker, prefetched
from notifications import services as notifications
from partnerships import permissions
from partnerships.health import stored
from partnerships.models import (
    Activity,
    CityMembership,
    Partnership,
    PartnershipMember,
    Step,
)
from partnerships.selectors import board, dashboard, saved_views, signoff, walk
from partnerships.selectors.common import first_rows
from partnerships.selectors.visibility import partnerships_of_my_cities
from partnerships.services import saved_views as saved_view_services
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ActivityFactory,
    CityMembershipFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    TwinningStrategyFactory,
)

pytestmark = pytest.mark.django_db

BUILT = []


@compiled_once(maxsize=2)
def _activities(pk: int, newest_first: bool):
    BUILT.append(pk)
    qs = Activity.objects.filter(partnership_id=pk).annotate(
        at=Cast("occurred_on", output_field=DateTimeField())
    )
    return qs.order_by("-at" if newest_first else "at").values_list("title", "at", "kind")


def test_rows_are_the_orms_for_each_id_and_the_sql_is_built_once():
    a, b = PartnershipFactory(), PartnershipFactory()
    ActivityFactory(partnership=a, title="first", occurred_on=dt.date(2026, 1, 5))
    ActivityFactory(partnership=a, title="second", occurred_on=dt.date(2026, 3, 1))
    ActivityFactory(partnership=b, title="other", occurred_on=dt.date(2026, 2, 1))
    BUILT.clear()
    _activities.compiled.cache_clear()
    for partnership in (a, b, a):
        orm = list(
            Activity.objects.filter(partnership=partnership)
            .annotate(at=Cast("occurred_on", output_field=DateTimeField()))
            .order_by("-at")
            .values_list("title", "at", "kind")
        )
        assert _activities(partnership.pk, True) == orm
    assert isinstance(_activities(a.pk, True)[0][1], dt.datetime)  # converted, also on SQLite
    assert [t for t, _, _ in _activities(a.pk, False)] == ["first", "second"]
    assert BUILT == [MARKER, MARKER]  # once per shape, never per id
    assert _activities(Partnership.objects.order_by("-pk")[0].pk + 1, True) == []


def test_dicts_are_named_as_values_names_them():
    partnership = PartnershipFactory(title="Named")
    compiled = CompiledQuery(
        Partnership.objects.filter(pk=MARKER).values("title", heading=F("title"))
    )
    assert compiled.dicts(partnership.pk) == [{"title": "Named", "heading": "Named"}]


def test_dicts_follow_the_order_values_selects_related_fields_and_annotations_in():
    """A values() of fields, fields across a join and an annotation: Django 5.2 keeps the
    order they were named in (`query.selected`), and so do the dicts."""
    partnership = PartnershipFactory(title="Ordered")
    ActivityFactory(partnership=partnership, title="Visit")
    values = (
        Partnership.objects.filter(pk=MARKER)
        .annotate(n=Count("activities", distinct=True))
        .values("title", "n", "activities__title")
    )
    compiled = CompiledQuery(values)
    orm = list(
        Partnership.objects.filter(pk=partnership.pk)
        .annotate(n=Count("activities", distinct=True))
        .values("title", "n", "activities__title")
    )
    assert (
        compiled.dicts(partnership.pk)
        == orm
        == [{"title": "Ordered", "n": 1, "activities__title": "Visit"}]
    )


def test_a_query_without_the_marker_is_refused():
    with pytest.raises(ValueError, match="MARKER"):
        CompiledQuery(Partnership.objects.values("pk"))


def _with_strategy_and_count():
    return Partnership.objects.select_related("strategy").annotate(n=Count("activities"))


def test_instances_are_the_orms_with_related_objects_and_annotations():
    strategy = TwinningStrategyFactory()
    a = PartnershipFactory(title="A", strategy=strategy)
    b = PartnershipFactory(title="B")
    ActivityFactory.create_batch(2, partnership=a)
    compiled = CompiledQuery(_with_strategy_and_count().filter(pk=MARKER))
    for partnership in (a, b):
        [orm] = _with_strategy_and_count().filter(pk=partnership.pk)
        [found] = compiled.instances(partnership.pk)
        assert (found.pk, found.title, found.n) == (orm.pk, orm.title, orm.n)
        assert found._state.adding is False and found._state.db == "default"
        with CaptureQueriesContext(connection) as queries:
            assert found.strategy == orm.strategy  # read with the row
        assert not queries.captured_queries
    assert compiled.instances(-1) == []


@compiled_once(maxsize=1, as_instances=True)
def _with_strategy(pk: int):
    return _with_strategy_and_count().filter(pk=pk)


def test_the_decorator_gives_instances_too():
    partnership = PartnershipFactory(title="Decorated", strategy=TwinningStrategyFactory())
    [found] = _with_strategy(partnership.pk)
    assert (found.title, found.n, found.strategy_id) == ("Decorated", 0, partnership.strategy_id)
    assert _with_strategy(-1) == []


def test_several_arguments_each_take_their_place():
    first, second, other = PartnerFactory(), PartnerFactory(), PartnerFactory()
    mine = [PartnershipFactory(home=first), PartnershipFactory(home=second)]
    PartnershipFactory(home=other)
    compiled = CompiledQuery(
        Partnership.objects.filter(pk__gte=MARKER, members__partner_id__in=[marker(1), marker(2)])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    low = min(p.pk for p in mine) - 1
    assert compiled.rows(low, first.pk, second.pk) == [(p.pk,) for p in mine]
    assert compiled.rows(low, first.pk, first.pk) == [(mine[0].pk,)]
    with pytest.raises(ValueError, match="at most"):
        marker(2048)


def test_a_typed_integer_parameter_keeps_its_type():
    """With server-side binding (PostgreSQL), a filter on an integer column that is not a key
    (the history's `id`) gives the marker as psycopg's typed Int8: found all the same."""
    partnership = PartnershipFactory(title="Kept")
    history = Partnership.history.model.objects.filter(id=MARKER).order_by("history_id")
    compiled = CompiledQuery(history)
    assert [h.title for h in compiled.instances(partnership.pk)] == ["Kept"]
    assert [type(compiled.params[i]) for i, _, _ in compiled.slots] == [
        type(p) for p in history.query.get_compiler("default").as_sql()[1]
    ]


@pytest.mark.django_db(transaction=True)
def test_instances_run_on_the_calling_threads_connection():
    partnership = PartnershipFactory(title="Threaded")
    compiled = CompiledQuery(Partnership.objects.filter(pk=MARKER))  # compiled in this thread
    found, used = [], []

    def read():
        found.extend(compiled.instances(partnership.pk))
        used.append(connections["default"])
        connections["default"].close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert [p.title for p in found] == ["Threaded"]
    assert used[0] is not connections["default"]  # its own, not the compiling thread's


def test_prefetched_members_ask_no_query_and_know_their_partnership():
    partnership = PartnershipFactory()
    PartnershipMemberFactory(partnership=partnership)
    fresh = Partnership.objects.get(pk=partnership.pk)
    members = list(PartnershipMember.objects.filter(partnership=partnership).order_by("pk"))
    prefetched(fresh, "members", members)
    with CaptureQueriesContext(connection) as queries:
        assert list(fresh.members.all()) == members
        assert all(m.partnership is fresh for m in members)
    assert not queries.captured_queries


def test_the_page_query_compiled_once_answers_each_reader_for_themselves():
    """Officers of one city, of two, of another, an admin and people following or not: one
    compiled query per shape of reader, each answer their own."""
    north, south, east = PartnerFactory(), PartnerFactory(), PartnerFactory()
    ours = PartnershipFactory(home=north)
    theirs = PartnershipFactory(home=east)
    one = UserFactory()
    CityMembershipFactory(user=one, partner=north, role=CityMembership.Role.OFFICER)
    two = UserFactory()
    for city in (south, north):
        CityMembershipFactory(user=two, partner=city, role=CityMembership.Role.OFFICER)
    other = UserFactory()
    CityMembershipFactory(user=other, partner=south, role=CityMembership.Role.OFFICER)
    admin = UserFactory(is_superuser=True, is_staff=True)
    notifications.follow(two, ours)
    walk._page_query.cache_clear()

    def page(user, partnership):
        user = type(user).objects.get(pk=user.pk)  # a fresh request's user
        return walk.partnership_for_page(user, partnership.pk)

    assert page(one, ours).user_follows is False
    assert page(two, ours).user_follows is True
    assert page(admin, theirs).pk == theirs.pk
    for reader, partnership in ((other, ours), (one, theirs), (two, theirs), (UserFactory(), ours)):
        with pytest.raises(Http404):
            page(reader, partnership)
    assert walk._page_query.cache_info().currsize == 3  # one city, two cities, admin
    assert [m.partner_id for m in page(one, ours).members.all()] == [north.pk]
    # Three cities read through four slots (the last id again); more than the slots, uncompiled.
    CityMembershipFactory(user=two, partner=east, role=CityMembership.Role.OFFICER)
    assert page(two, theirs).pk == theirs.pk
    assert walk._page_query.cache_info().currsize == 4
    with patch.object(walk, "COMPILED_CITY_SLOTS", 2):
        assert page(two, ours).user_follows is True
        with pytest.raises(Http404):
            page(UserFactory(), theirs)
    assert walk._page_query.cache_info().currsize == 4


def test_the_dashboards_lists_compiled_once_answer_each_officer_as_the_orm_does():
    """The dashboard an officer lands on reads its lists, and what awaits a confirmation,
    through queries compiled once per number of cities (and day): each officer gets what the
    uncompiled queries give; a filtered board and an admin read them uncompiled."""
    north, south, east = PartnerFactory(), PartnerFactory(), PartnerFactory()
    today = timezone.localdate()
    for n, city in enumerate((north, south, east, north, south)):
        p = PartnershipFactory(home=city, title=f"P{n}")
        review_on = today + dt.timedelta(days=n * 20 - 10)
        step = (Step.SELECTION, 3, 5, 7, 8)[n]
        Partnership.objects.filter(pk=p.pk).update(step=step, next_review_on=review_on)
    PartnershipMemberFactory(partnership=Partnership.objects.get(title="P0"), partner=east)
    officers = {}
    readers = {"one": [north], "two": [south, north], "three": [north, east, south]}
    for name, cities in readers.items():
        officers[name] = UserFactory()
        for city in cities:
            CityMembershipFactory(user=officers[name], partner=city)
    dashboard._compiled_lists.cache_clear()
    signoff._awaiting_query.cache_clear()

    def lists(user, filters=None):
        user = type(user).objects.get(pk=user.pk)  # a fresh request's user
        filters = filters or board.BoardFilters()
        mine = partnerships_of_my_cities(user)
        stored.refresh_stale(mine, today)
        found = dashboard._first_rows(user, filters, today, mine, board.filtered(user, filters))
        uncompiled = first_rows(
            stored.with_summary(mine), dashboard._lists(today, mine, board.filtered(user, filters))
        )
        as_pks = {name: [p.pk for p in rows] for name, rows in found.items()}
        assert as_pks == {name: [p.pk for p in rows] for name, rows in uncompiled.items()}
        assert all(p.health_summary.scored_on == today for rows in found.values() for p in rows)
        awaiting = signoff.awaiting_confirmation(user)
        with patch.object(signoff, "COMPILED_CITY_SLOTS", 0):
            assert awaiting == signoff.awaiting_confirmation(user)
        return as_pks

    first = Partnership.objects.get(title="P0")
    assert lists(officers["one"])["step_4"] == [first.pk]
    awaited = signoff.awaiting_confirmation(officers["one"])["mine"]
    assert [(a.pk, a.mine, a.theirs) for a in awaited] == [(first.pk, [north.name], [east.name])]
    assert sum(map(len, lists(officers["two"]).values())) > sum(
        map(len, lists(officers["one"]).values())
    )
    lists(officers["three"])  # three cities: four slots, the last id again
    assert dashboard._compiled_lists.cache_info().currsize == 3  # one, two and four slots
    assert signoff._awaiting_query.cache_info().currsize == 3
    lists(officers["one"], board.BoardFilters(category="sister_city"))
    lists(UserFactory(is_superuser=True, is_staff=True))
    assert dashboard._compiled_lists.cache_info().currsize == 3


def test_the_saved_views_compiled_once_are_each_persons_own():
    """The list's saved views (one's own, those shared with one's cities, and one's default)
    read through a query compiled once per number of cities give what the uncompiled one
    gives, for people of no city, one and two."""
    north, south = PartnerFactory(), PartnerFactory()
    people = {"none": UserFactory(), "one": UserFactory(), "two": UserFactory()}
    CityMembershipFactory(user=people["one"], partner=north)
    for city in (north, south):
        CityMembershipFactory(user=people["two"], partner=city)
    mine = saved_view_services.saved_view_save(user=people["one"], name="Mine", query="step=2")
    saved_view_services.saved_view_save(
        user=people["two"], name="For the south", query="step=3", shared_with=south
    )
    saved_view_services.saved_view_save(
        user=people["two"], name="For the north", query="step=4", shared_with=north
    )
    saved_view_services.saved_view_save(user=people["none"], name="Private", query="step=5")
    saved_view_services.default_view_set(user=people["one"], view_id=mine.pk)
    saved_views._views_query.cache_clear()

    def read(user):
        user = type(user).objects.get(pk=user.pk)  # a fresh request's user
        views, default = saved_views.views_and_default(user)
        with patch.object(saved_views, "COMPILED_CITY_SLOTS", -1):
            uncompiled = saved_views.views_and_default(type(user).objects.get(pk=user.pk))
        assert ([v.pk for v in views], default) == ([v.pk for v in uncompiled[0]], uncompiled[1])
        return [v.name for v in views], default and default.name

    assert read(people["none"]) == (["Private"], None)
    assert read(people["one"]) == (["For the north", "Mine"], "Mine")
    assert read(people["two"]) == (["For the north", "For the south"], None)
    assert saved_views._views_query.cache_info().currsize == 3  # no city, one, two


def test_each_persons_cities_compiled_once_are_their_own():
    """`permissions.city_roles` (asked by nearly every page) runs SQL compiled once: each
    person gets their own cities and roles, someone of no city none."""
    north, south = PartnerFactory(), PartnerFactory()
    officer, coordinator, nobody = UserFactory(), UserFactory(), UserFactory()
    CityMembershipFactory(user=officer, partner=north, role=CityMembership.Role.OFFICER)
    CityMembershipFactory(user=coordinator, partner=north, role=CityMembership.Role.OFFICER)
    CityMembershipFactory(user=coordinator, partner=south, role=CityMembership.Role.COORDINATOR)
    permissions._city_roles.compiled.cache_clear()

    def roles(user):
        return permissions.city_roles(type(user).objects.get(pk=user.pk))

    assert roles(officer) == {north.pk: "officer"}
    assert roles(coordinator) == {north.pk: "officer", south.pk: "coordinator"}
    assert roles(nobody) == {}
    assert permissions._city_roles.compiled.cache_info().misses == 1


# --- custom_plans -----------------------------------------------------------------------------


def _plan_mode() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        return cursor.fetchone()[0]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="plan_cache_mode is PostgreSQL's"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_custom_plans_outside_a_transaction_are_reset_even_after_an_error():
    before = _plan_mode()
    with custom_plans():
        assert _plan_mode() == "force_custom_plan"
    assert _plan_mode() == before
    with pytest.raises(ZeroDivisionError), custom_plans():
        1 / 0  # noqa: B018
    assert _plan_mode() == before


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_custom_plans_inside_a_transaction_end_with_it():
    before = _plan_mode()
    with transaction.atomic():
        with custom_plans():
            assert _plan_mode() == "force_custom_plan"
        assert _plan_mode() == "force_custom_plan"  # LOCAL: until the transaction ends
    assert _plan_mode() == before


def test_a_bulk_recomputation_of_the_stored_health_plans_for_its_own_ids():
    partnerships = [PartnershipFactory() for _ in range(3)]
    ids = [p.pk for p in partnerships]
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as few:
        stored.refresh(ids, today)
    many = ids + list(range(-stored.BULK, 0))  # ids no row has: read, none found
    with CaptureQueriesContext(connection) as bulk:
        stored.refresh(many, today)
    said = [q["sql"] for q in bulk.captured_queries if "plan_cache_mode" in q["sql"]]
    assert not [q for q in few.captured_queries if "plan_cache_mode" in q["sql"]]
    assert bool(said) == (connection.vendor == "postgresql")
