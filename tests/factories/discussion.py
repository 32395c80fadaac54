import factory

from discussion.models import Comment
from tests.factories.accounts import UserFactory
from tests.factories.partnerships import PartnershipFactory


class CommentFactory(factory.django.DjangoModelFactory):
    """A bare comment row (no mentions told, nobody made to follow: use the services)."""

    class Meta:
        model = Comment

    partnership = factory.SubFactory(PartnershipFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment {n}: see https://example.org/{n}")
