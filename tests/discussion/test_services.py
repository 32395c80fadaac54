"""Posting, editing and removing comments through the services: mentions (who is told, who is
not), the text's limits, the edit window, the removal's trace, followers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.errors import DomainError
from discussion import services
from discussion.models import MAX_BYTES, Comment, mentioned_names
from notifications.models import Follow
from partnerships.events import Kind

pytestmark = pytest.mark.django_db


def post(world, body, user=None, sub_alliance=None):
    return services.comment_post(
        user=user or world.home_officer,
        partnership=world.partnership,
        sub_alliance=sub_alliance,
        body=body,
    )


def test_a_comment_is_posted_and_its_writer_follows_the_partnership(world):
    posted = post(world, "Shall we meet in March?")
    comment = Comment.objects.get()
    assert comment == posted.comment
    assert (comment.body, comment.author, comment.sub_alliance) == (
        "Shall we meet in March?",
        world.home_officer,
        None,
    )
    follow = Follow.objects.get(user=world.home_officer)
    assert follow.target == world.partnership


def test_a_sub_alliance_comment_belongs_to_its_partnership_which_is_followed(world):
    posted = post(world, "Pipes ordered.", sub_alliance=world.sub_alliance)
    assert posted.comment.partnership == world.partnership
    assert posted.comment.sub_alliance == world.sub_alliance
    assert Follow.objects.get(user=world.home_officer).target == world.partnership


def test_mentions_tell_those_who_may_see_and_name_those_who_may_not(
    world, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = post(world, "@astrid and @root, see this; @pieter @nobody @ghost. @thandi")
    assert {u.username for u in posted.mentions.notified} == {"astrid", "root"}
    assert {u.username for u in posted.mentions.not_notified} == {"pieter", "nobody"}
    assert posted.mentions.unknown == ["ghost"]
    # The writer mentioning themself is no one to tell.
    [event] = events
    assert event.kind == Kind.MENTIONED
    assert event.partnership_id == world.partnership.pk
    assert event.actor_id == world.home_officer.pk
    assert event.object_id == posted.comment.pk
    assert set(event.user_ids) == {world.away_officer.pk, world.admin.pk}
    assert event.data["excerpt"].startswith("@astrid and @root")
    assert event.data["url"] == (
        f"/partnerships/{world.partnership.pk}/discussion/#comment-{posted.comment.pk}"
    )


def test_no_event_when_nobody_who_may_see_is_mentioned(
    world, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = post(world, "Ask @pieter?")
    assert events == []
    assert [u.username for u in posted.mentions.not_notified] == ["pieter"]


def test_a_sub_alliance_mention_links_to_the_sub_alliance(
    world, events, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = post(world, "@Astrid, the pipes.", sub_alliance=world.sub_alliance)
    [event] = events
    assert event.user_ids == (world.away_officer.pk,)
    assert event.data["url"].endswith(
        f"/alliances/{world.sub_alliance.pk}/discussion/#comment-{posted.comment.pk}"
    )


def test_mention_names():
    text = "Hi @ana.b, mail ana@example.org, (@bo_2) and @ana.b again @x-y. @"
    assert mentioned_names(text) == ["ana.b", "bo_2", "x-y"]


def test_someone_who_may_not_see_the_record_cannot_post(world):
    for user in (world.stranger_officer, world.plain):
        with pytest.raises(DomainError):
            post(world, "Hello", user=user)
    assert not Comment.objects.exists()


def test_a_sub_alliance_of_another_partnership_is_refused(world):
    from tests.factories.alliances import SubAllianceFactory

    other = SubAllianceFactory()
    with pytest.raises(DomainError):
        post(world, "Hello", sub_alliance=other)
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_an_empty_comment_is_refused(world, body):
    with pytest.raises(ValidationError):
        post(world, body)
    assert not Comment.objects.exists()


def test_ten_kilobytes_is_the_limit_in_bytes(world):
    post(world, "a" * MAX_BYTES)
    with pytest.raises(ValidationError, match="at most 10 KB"):
        post(world, "a" * (MAX_BYTES + 1))
    # Three bytes a character in UTF-8: 3,414 characters are over 10 KB.
    with pytest.raises(ValidationError, match="at most 10 KB"):
        post(world, "广" * 3414)
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85"])
def test_control_characters_are_refused_with_a_message(world, bad, events):
    with pytest.raises(ValidationError, match="control characters"):
        post(world, f"Hello {bad} @astrid")
    assert not Comment.objects.exists()
    assert not Follow.objects.exists()
    assert events == []


def test_newlines_and_tabs_are_text_and_crlf_becomes_one_newline(world):
    posted = post(world, "One\r\ntwo\tthree\rfour")
    assert posted.comment.body == "One\ntwo\tthree\nfour"


def test_the_writer_edits_within_fifteen_minutes_and_new_mentions_are_told(
    world, events, django_capture_on_commit_callbacks
):
    comment = post(world, "Hi @astrid").comment
    with django_capture_on_commit_callbacks(execute=True):
        edited = services.comment_edit(
            user=world.home_officer, comment=comment, body="Hi @astrid and @root"
        )
    comment.refresh_from_db()
    assert comment.body == "Hi @astrid and @root"
    assert comment.edited_at is not None
    # Astrid was told when the comment was posted: only the newly mentioned now.
    assert [u.username for u in edited.mentions.notified] == ["root"]
    assert [e.user_ids for e in events] == [(world.admin.pk,)]


def test_no_edit_after_fifteen_minutes(world):
    comment = post(world, "First words").comment
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=15, seconds=1)
    )
    with pytest.raises(DomainError, match="15 minutes"):
        services.comment_edit(user=world.home_officer, comment=comment, body="Second words")
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at) == ("First words", None)


def test_only_the_writer_edits(world):
    comment = post(world, "Mine").comment
    for user in (world.away_officer, world.admin):
        with pytest.raises(DomainError):
            services.comment_edit(user=user, comment=comment, body="Theirs")
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_a_bad_edit_saves_nothing(world):
    comment = post(world, "Mine").comment
    with pytest.raises(ValidationError):
        services.comment_edit(user=world.home_officer, comment=comment, body="a\x00b")
    comment.refresh_from_db()
    assert (comment.body, comment.edited_at) == ("Mine", None)


def test_removal_leaves_a_trace_by_the_writer_or_an_admin(world):
    mine = post(world, "Oops").comment
    theirs = post(world, "Off topic", user=world.away_officer).comment
    services.comment_remove(user=world.home_officer, comment=mine)
    with pytest.raises(DomainError):
        services.comment_remove(user=world.home_officer, comment=theirs)
    services.comment_remove(user=world.admin, comment=theirs)
    for comment, remover in [(mine, world.home_officer), (theirs, world.admin)]:
        comment.refresh_from_db()
        assert comment.body == ""
        assert comment.removed_by == remover
        assert comment.removed_at is not None
    # Removed once: neither removed again nor edited.
    with pytest.raises(DomainError):
        services.comment_remove(user=world.admin, comment=mine)
    with pytest.raises(DomainError):
        services.comment_edit(user=world.home_officer, comment=mine, body="Back")
