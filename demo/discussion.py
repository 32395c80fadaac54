"""The discussion's part of the demo, after the chambers (`manage.py load_demo`): a short
exchange with mentions between the demo officers of the twinned pair on their partnership, and
a comment on its business sub-alliance. The texts are in `demo/data/discussion.yaml`.

Through the services, as in the portal. Idempotent: a thread that has comments is left as it
is.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction

from alliances.models import SubAlliance
from demo import dataset
from demo.businesses import _officers
from discussion import services
from discussion.models import Comment
from partnerships.models import Partner, Partnership, PartnershipMember

DATA = Path(__file__).parent / "data" / "discussion.yaml"


def load() -> int:
    """Post the demo comments where their thread is empty; how many were posted."""
    data = dataset.get()
    texts = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    posted = 0
    with transaction.atomic():
        home, away = (Partner.objects.get(name=name) for name in data.twinned_pair)
        partnership = Partnership.objects.get(
            members__partner=home,
            members__role=PartnershipMember.Role.HOME,
            title__contains=away.name,
        )
        officers = _officers(home, away)
        writers = {"home": officers[home.pk], "away": officers[away.pk]}
        names = {side: user.username for side, user in writers.items()}
        sub_alliance = SubAlliance.objects.filter(
            partnership=partnership, name=data.chambers.sub_alliance["name"]
        ).first()
        for key, target in (("partnership", None), ("sub_alliance", sub_alliance)):
            if key == "sub_alliance" and target is None:
                continue
            if Comment.objects.filter(partnership=partnership, sub_alliance=target).exists():
                continue
            for spec in texts[key]:
                services.comment_post(
                    user=writers[spec["by"]],
                    partnership=partnership,
                    sub_alliance=target,
                    body=spec["text"].strip().format(**names),
                )
                posted += 1
    return posted
