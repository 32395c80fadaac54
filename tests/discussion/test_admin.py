"""The comments' admin: read-only lists and pages, and removal through the service."""

import pytest
from django.urls import reverse

from discussion import services
from discussion.models import Comment

pytestmark = pytest.mark.django_db


def test_the_admin_lists_shows_and_removes_with_a_trace(client, world):
    comment = services.comment_post(
        user=world.home_officer, partnership=world.partnership, body="Spam https://x.example"
    ).comment
    client.force_login(world.admin)
    changelist = reverse("admin:discussion_comment_changelist")
    assert client.get(changelist).status_code == 200
    page = client.get(reverse("admin:discussion_comment_change", args=[comment.pk]))
    assert page.status_code == 200
    response = client.post(
        changelist, {"action": "remove", "_selected_action": [comment.pk]}, follow=True
    )
    assert response.status_code == 200
    comment.refresh_from_db()
    assert (comment.body, comment.removed_by) == ("", world.admin)
    assert Comment.objects.count() == 1
