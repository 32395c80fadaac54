"""The scheduled activities of the demo, after the chambers (`manage.py load_demo`): calls,
meetings and a delegation for the demo officers of the twinned pair, one on its business
sub-alliance, so that "My activities" and the dashboard have something to show. The texts
are in `demo/data/agenda.yaml`.

Through the services, as in the portal. Idempotent: a partnership that has scheduled
activities is left as it is.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from agenda import services
from agenda.models import ScheduledActivity
from alliances.models import SubAlliance
from demo import dataset
from demo.businesses import _officers
from partnerships.models import Partner, Partnership, PartnershipMember

DATA = Path(__file__).parent / "data" / "agenda.yaml"


def load() -> int:
    """Schedule the demo activities unless the partnership has some; how many were."""
    data = dataset.get()
    specs = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    today = timezone.localdate()
    scheduled = 0
    with transaction.atomic():
        home, away = (Partner.objects.get(name=name) for name in data.twinned_pair)
        partnership = Partnership.objects.get(
            members__partner=home,
            members__role=PartnershipMember.Role.HOME,
            title__contains=away.name,
        )
        if ScheduledActivity.objects.filter(partnership=partnership).exists():
            return 0
        officers = _officers(home, away)
        people = {"home": officers[home.pk], "away": officers[away.pk]}
        sub_alliance = SubAlliance.objects.filter(
            partnership=partnership, name=data.chambers.sub_alliance["name"]
        ).first()
        for key, target in (("partnership", None), ("sub_alliance", sub_alliance)):
            if key == "sub_alliance" and target is None:
                continue
            for spec in specs[key]:
                services.activity_schedule(
                    user=people[spec["by"]],
                    partnership=partnership,
                    sub_alliance=target,
                    kind=spec["kind"],
                    summary=spec["summary"],
                    assignee=people[spec["to"]],
                    due_on=today + dt.timedelta(days=spec["in_days"]),
                )
                scheduled += 1
    return scheduled
