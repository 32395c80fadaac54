"""Reads of who follows what (`Follow`); the writes are `services.follow` and `unfollow`."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from notifications.models import Follow
from partnerships.models import Partnership


def follows_of(model: type[models.Model] | models.Model, pk: int):
    """The follows of one record (a model class or instance, and its id)."""
    content_type = ContentType.objects.get_for_model(model)
    return Follow.objects.filter(content_type=content_type, object_id=pk)


def follower_ids(model, pk: int) -> set[int]:
    return set(follows_of(model, pk).values_list("user_id", flat=True))


def is_following(user, target: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    known = getattr(target, FOLLOWING, None)  # read with the page's own query
    if known is not None:
        return known
    return follows_of(target, target.pk).filter(user=user).exists()


FOLLOWING = "user_follows"


def following_annotation(user) -> dict:
    """Hook `partnership.page_annotations`: whether the user follows the partnership, read in
    the page's own query (the page's link then costs no query)."""
    if not user.is_authenticated:
        return {}
    from_partnership = Follow.objects.filter(
        content_type=ContentType.objects.get_for_model(Partnership),
        object_id=models.OuterRef("pk"),
        user=user,
    )
    return {FOLLOWING: models.Exists(from_partnership)}
