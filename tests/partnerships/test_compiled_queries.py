"""core.querysets.compiled_once: SQL compiled once for a marker id and run for any id gives
what the ORM gives (converted dates and times included), and refuses a query that does not
depend on its id."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import DateTimeField, F
from django.db.models.functions import Cast

from core.querysets import MARKER, CompiledQuery, compiled_once
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
