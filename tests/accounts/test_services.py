"""Accounts made by the sign-up pages (accounts.services.account_save_new)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.services import account_save_new
from core.errors import DomainError
from tests.notifications.test_reminders import _in_threads, postgres_only


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_one_sign_up_sent_twice_at_once_makes_one_account_and_tells_the_other():
    """Found from outside: a double click on a sign-up form gave a 500 (IntegrityError on the
    username) when both requests passed the "is it taken?" check before either saved."""
    User = get_user_model()

    def sign_up():
        try:
            with transaction.atomic():
                account_save_new(
                    User(username="twice", email="twice@example.org"), "a long pass phrase 42"
                )
                # Still usable after the refusal: the save ran in a savepoint of its own.
                return User.objects.filter(username="twice").count()
        except (DomainError, ValidationError) as exc:
            return str(exc)

    results = _in_threads(4, sign_up)
    assert User.objects.filter(username="twice").count() == 1
    assert 1 in results
    refused = [r for r in results if r != 1]
    assert len(refused) == 3 and all("a moment ago" in r or "already exists" in r for r in refused)
