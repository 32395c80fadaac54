"""The demo's discussion (`load_demo`): comments with mentions on the twinned pair's
partnership and its sub-alliance, shown on their pages; a second load posts nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from demo import partnerships as core_demo
from discussion.models import Comment

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_discussion_and_loads_it_once(client):
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Discussion: 3 comment(s) posted" in out.getvalue()
    comments = list(Comment.objects.select_related("author", "sub_alliance"))
    assert len(comments) == 3
    assert [c.sub_alliance is not None for c in comments] == [False, False, True]
    first = comments[0]
    # The mention names the other side's officer, who may see the partnership.
    assert f"@{comments[1].author.username}" in first.body
    call_command("load_demo", stdout=(again := StringIO()))
    assert "Discussion: 0 comment(s) posted" in again.getvalue()
    assert Comment.objects.count() == 3

    assert client.login(username=first.author.username, password=core_demo.DEMO_PASSWORD)
    page = client.get(reverse("discussion:partnership_thread", args=[first.partnership_id]))
    assert f'id="comment-{first.pk}"' in page.content.decode()
    assert '<a href="https://www.buffalocity.gov.za/" rel="nofollow">' in page.content.decode()
