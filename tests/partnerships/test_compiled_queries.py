"""core.querysets.compiled_once: SQL compiled once for a marker id and run for any id gives
what the ORM gives (converted dates and times included), and refuses a query that does not
depend on its id. core.querysets.custom_plans: a bulk job's queries planned for their own
parameters, the setting gone afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.db.models import DateTimeField, F
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.querysets import MARKER, CompiledQuery, compiled_once, custom_plans
from partnerships.health import stored
from partnerships.models import Activity, Partnership
from tests.factories.partnerships import ActivityFactory, PartnershipFactory

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


def test_a_query_without_the_marker_is_refused():
    with pytest.raises(ValueError, match="MARKER"):
        CompiledQuery(Partnership.objects.values("pk"))


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
