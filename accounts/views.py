"""A person's own account page, and the language switcher."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import AccountForm, ApiTokenForm
from core.access import has_a_role
from core.errors import DomainError
from core.views import posted

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    form = AccountForm(posted(request), instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.account_update(request.user, **form.cleaned_data)
        language = user.language or translation.get_language_from_request(request)
        translation.activate(language)
        messages.success(request, _("Your account is saved."))
        response = HttpResponseRedirect(reverse("accounts:account"))
        if user.language:
            _set_language_cookie(response, user.language)
        return response
    return _account_page(request, form)


def _account_page(request, form, token_form=None, new_key: str = "", status: int = 200):
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "token_form": token_form or ApiTokenForm(),
            # API tokens are for accounts with a role: one without sees what a visitor sees.
            "uses_api": has_a_role(getattr(request, "roles", frozenset())),
            "tokens": list(services.api_tokens_of(request.user)),
            "new_key": new_key,
        },
        status=status,
    )


@login_required
@require_POST
def token_create(request):
    """A new API token: its key is on this one answer only (never stored, never sent again)."""
    token_form = ApiTokenForm(request.POST)
    if token_form.is_valid():
        try:
            _token, key = services.api_token_create(user=request.user, **token_form.cleaned_data)
        except DomainError as exc:
            token_form.add_error(None, exc.message)
        else:
            return _account_page(request, AccountForm(instance=request.user), new_key=key)
    return _account_page(request, AccountForm(instance=request.user), token_form, status=400)


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(services.api_tokens_of(request.user), pk=token_id)
    services.api_token_revoke(token=token, user=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:account")


@require_http_methods(["GET", "POST"])
def language(request):
    """Switch the language: a cookie for everyone (a link, so that a visitor's cached public
    pages need no form token), and the account's language too when a signed-in person
    chooses by the form (a POST: a link must not change an account)."""
    data = request.POST if request.method == "POST" else request.GET
    code = data.get("language", "")
    target = data.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if code not in LANGUAGE_CODES:
        messages.error(request, _("That language is not one of the portal's."))
        return response
    if request.method == "POST" and request.user.is_authenticated:
        services.account_update(request.user, language=code)
    _set_language_cookie(response, code)
    return response


def _set_language_cookie(response, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
