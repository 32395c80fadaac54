"""The discussion as people use it: the thread on the partnership's and the sub-alliance's
pages, posting (escaped text, clickable links, what became of the mentions), editing and
removing, who may do what, the timeline, and a bounded number of queries."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from discussion import services
from discussion.models import MAX_BYTES, Comment
from partnerships.selectors import timeline
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import (
    ActivityFactory,
    CityMembershipFactory,
    StepTransitionFactory,
)
from tests.worlds import health_current

pytestmark = pytest.mark.django_db


def thread_url(world):
    return reverse("discussion:partnership_thread", args=[world.partnership.pk])


def page_url(world):
    return reverse("partnerships:detail", args=[world.partnership.pk])


def panel_of(client, world):
    """The partnership page's thread, as htmx fetches it once the page has loaded."""
    response = client.get(thread_url(world), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_officer_posts_and_the_partnership_page_shows_the_thread(client, world):
    client.force_login(world.away_officer)
    response = client.post(thread_url(world), {"body": "Welcome from Gävle!"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{thread_url(world)}#comment-{comment.pk}"
    # The partnership page fetches its thread once loaded (a link without JavaScript).
    page = client.get(page_url(world)).content.decode()
    assert f'id="discussion" hx-get="{thread_url(world)}" hx-trigger="load"' in page
    assert f'<a href="{thread_url(world)}">' in page
    for html in (panel_of(client, world), client.get(response["Location"])):
        html = html.content.decode()
        assert f'id="comment-{comment.pk}"' in html
        assert "Welcome from Gävle!" in html
        assert "@astrid" in html
    # A comment posted from the panel (htmx) is answered with the panel again.
    response = client.post(thread_url(world), {"body": "And @thandi?"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "And @thandi?" in response.content.decode()
    assert "Told: @thandi" in response.content.decode()
    assert 'hx-post="' + thread_url(world) in response.content.decode()


def test_text_is_escaped_and_links_are_clickable(client, world):
    client.force_login(world.home_officer)
    body = (
        '<script>alert("x")</script> <img src=x onerror=alert(1)> & '
        "https://example.org/report?a=1&b=2 javascript:alert(1)\nsecond line"
    )
    client.post(thread_url(world), {"body": body})
    page = panel_of(client, world).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; " in page
    assert (
        '<a href="https://example.org/report?a=1&amp;b=2" rel="nofollow">'
        "https://example.org/report?a=1&amp;b=2</a>"
    ) in page
    assert 'href="javascript' not in page
    assert "javascript:alert(1)<br>second line" in page


def test_the_writer_is_told_who_was_not_notified(client, world):
    client.force_login(world.home_officer)
    response = client.post(thread_url(world), {"body": "@astrid @pieter @nobody @ghost"})
    messages = said(response)
    assert "Told: @astrid" in messages
    assert "Not told, as they cannot see this record: @pieter, @nobody" in messages
    assert "No one has the username: @ghost" in messages


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("Hello \x1b[31m red", "invisible control character"),
        ("Nul \x00 here", "Null characters are not allowed"),
        ("a" * (MAX_BYTES + 1), "at most"),
        ("é" * (MAX_BYTES // 2 + 1), "at most 10 KB"),
        ("   ", "This field is required"),
    ],
)
def test_bad_text_is_refused_with_a_message_and_kept(client, world, body, message):
    client.force_login(world.home_officer)
    response = client.post(thread_url(world), {"body": body})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["body"])
    assert not Comment.objects.exists()


def test_people_who_may_not_see_the_record_get_nothing(client, world):
    sub_url = reverse("discussion:sub_alliance_thread", args=[world.sub_alliance.pk])
    comment = services.comment_post(
        user=world.home_officer, partnership=world.partnership, body="Private"
    ).comment
    edit = reverse("discussion:comment_edit", args=[comment.pk])
    remove = reverse("discussion:comment_remove", args=[comment.pk])
    client.force_login(world.stranger_officer)
    for url in (thread_url(world), sub_url):
        assert client.get(url).status_code == 404
        assert client.post(url, {"body": "Let me in"}).status_code == 404
    for url in (edit, remove):
        assert client.post(url, {"body": "Mine now"}).status_code == 404
    client.logout()
    assert "/login/" in client.post(thread_url(world), {"body": "Hi"})["Location"]
    assert Comment.objects.get().body == "Private"


def test_the_sub_alliance_page_has_its_own_thread(client, world):
    client.force_login(world.home_officer)
    url = reverse("discussion:sub_alliance_thread", args=[world.sub_alliance.pk])
    response = client.post(url, {"body": "Pipes ordered."})
    comment = Comment.objects.get()
    detail = reverse("alliances:sub_alliance_detail", args=[world.sub_alliance.pk])
    assert response["Location"] == f"{url}#comment-{comment.pk}"
    assert comment.sub_alliance == world.sub_alliance
    assert "Pipes ordered." in client.get(detail).content.decode()
    assert "Pipes ordered." in client.get(url).content.decode()
    # Not in the partnership's own thread (its timeline says where it was written).
    assert panel_of(client, world).context["panel"]["rows"] == []
    page = client.get(page_url(world)).content.decode()
    assert "On the sub-alliance “Water utilities”" in page


def test_edit_within_the_window_and_not_after(client, world):
    comment = services.comment_post(
        user=world.home_officer, partnership=world.partnership, body="Frist"
    ).comment
    edit = reverse("discussion:comment_edit", args=[comment.pk])
    client.force_login(world.away_officer)
    assert client.post(edit, {"body": "Not yours"}).status_code == 404
    client.force_login(world.home_officer)
    assert 'action="' + edit in panel_of(client, world).content.decode()
    assert client.post(edit, {"body": "First"}).status_code == 302
    comment.refresh_from_db()
    assert comment.body == "First"
    assert "edited" in panel_of(client, world).content.decode()
    # A bad edit shows the text again with what is wrong.
    response = client.post(edit, {"body": "x\x07"})
    assert response.status_code == 200
    assert "invisible control character" in response.content.decode()
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=16)
    )
    assert 'action="' + edit not in client.get(thread_url(world)).content.decode()
    response = client.post(edit, {"body": "Third"})
    assert response.status_code == 302
    assert any("15 minutes" in m for m in said(response))
    comment.refresh_from_db()
    assert comment.body == "First"


def test_removal_shows_who_removed_it_and_when(client, world):
    comment = services.comment_post(
        user=world.away_officer, partnership=world.partnership, body="Wrong thread"
    ).comment
    remove = reverse("discussion:comment_remove", args=[comment.pk])
    client.force_login(world.home_officer)
    assert client.post(remove).status_code == 404  # not theirs
    client.force_login(world.admin)
    assert client.post(remove).status_code == 302
    page = client.get(thread_url(world)).content.decode()
    assert "Wrong thread" not in page
    removed_by = world.admin.get_full_name()
    assert f"Comment removed by {removed_by} on" in page
    assert client.get(remove).status_code == 405


def test_comments_are_in_the_timeline_in_order_with_moves_and_activities(world):
    now = timezone.now()
    first = services.comment_post(
        user=world.home_officer, partnership=world.partnership, body="Before the visit"
    ).comment
    Comment.objects.filter(pk=first.pk).update(created_at=now - dt.timedelta(days=10))
    ActivityFactory(partnership=world.partnership, occurred_on=(now - dt.timedelta(days=5)).date())
    move = StepTransitionFactory(partnership=world.partnership, reason="Agreed")
    move.at = now - dt.timedelta(days=2)
    move.save()
    last = services.comment_post(
        user=world.away_officer,
        partnership=world.partnership,
        sub_alliance=world.sub_alliance,
        body="After the move",
    ).comment
    services.comment_remove(user=world.away_officer, comment=last)
    entries = [
        (e.kind, e.title)
        for e in timeline(world.partnership)
        if e.kind in {"comment", "move", "activity"}
    ]
    assert entries == [
        ("comment", "Comment removed"),
        ("move", entries[1][1]),
        ("activity", "Engineers' exchange visit"),
        ("comment", "Before the visit"),
    ]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_thread_costs_the_same_queries_however_long_and_however_many_writers(
    client, world, replace_hook
):
    client.force_login(world.home_officer)
    sub_page = reverse("alliances:sub_alliance_detail", args=[world.sub_alliance.pk])
    sub_thread = reverse("discussion:sub_alliance_thread", args=[world.sub_alliance.pk])
    urls = [page_url(world), thread_url(world), sub_page, sub_thread]

    def counts():
        with CaptureQueriesContext(connection) as queries:
            panel_of(client, world)
        return [_queries(client, url) for url in urls] + [len(queries)]

    def write(n):
        for i in range(n):
            writer = UserFactory()
            CityMembershipFactory(user=writer, partner=world.away)
            for sub in (None, world.sub_alliance):
                services.comment_post(
                    user=writer, partnership=world.partnership, sub_alliance=sub, body=f"#{i}"
                )

    write(2)
    health_current()
    before = counts()
    write(30)  # more than the panel shows, more than a page of the thread
    after = counts()
    assert after == before
    assert "Earlier comments" in panel_of(client, world).content.decode()
    # The partnership page's panel asks nothing: its thread comes after the page.
    with_panel = _queries(client, page_url(world))
    replace_hook("partnership.panels", [])
    assert _queries(client, page_url(world)) == with_panel


@pytest.mark.django_db(transaction=True)
def test_a_cached_partnership_page_shows_a_new_comment(client, world, settings):
    """The pages are cached per session (core.page_cache): a comment makes them stale."""
    from django.core.cache import cache
    from django.test import Client

    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_TIMEOUT = 60
    cache.clear()
    client.force_login(world.home_officer)
    assert "Ahoy from Gävle" not in client.get(page_url(world)).content.decode()
    other = Client()
    other.force_login(world.away_officer)
    other.post(thread_url(world), {"body": "Ahoy from Gävle"})
    assert "Ahoy from Gävle" in client.get(page_url(world)).content.decode()
    comment = Comment.objects.get()
    other.force_login(world.admin)
    other.post(reverse("discussion:comment_remove", args=[comment.pk]))
    assert "Ahoy from Gävle" not in client.get(page_url(world)).content.decode()
    cache.clear()
