"""tests/flush.py: after a transactional test the database is as the migrations left it."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from businesses.models import Need
from partnerships.models import CooperationArea, Partner, Sector


def _migrated_rows():
    return {
        "sectors": sorted(Sector.objects.values_list("pk", "code", "name")),
        "areas": sorted(CooperationArea.objects.values_list("pk", "code")),
        "needs": sorted(Need.objects.values_list("pk", "code")),
        "schedule": sorted(PeriodicTask.objects.values_list("pk", "name", "task", "enabled")),
        "content types": ContentType.objects.count(),
    }


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_what_the_migrations_put_in_and_nothing_else():
    before = _migrated_rows()
    assert before["sectors"] and before["areas"] and before["needs"]
    scheduled = {name for _, name, *_ in before["schedule"]}
    assert {"Daily reminder scan", "Daily digest of events"} <= scheduled

    # What a test may do: add a city, change and remove reference rows, stop a beat task.
    Partner.objects.create(name="Flushville", country="ZA")
    Sector.objects.filter(code="C").update(name="Changed")
    CooperationArea.objects.all().delete()
    PeriodicTask.objects.update(enabled=False)

    call_command("flush", interactive=False, verbosity=0)

    assert _migrated_rows() == before
    assert not Partner.objects.exists()
    # New rows do not take the ids of the restored ones.
    assert Sector.objects.create(code="Z9", name="New").pk > max(pk for pk, *_ in before["sectors"])
