"""The language a signed-in person chose on their account, on every device they sign in from.

LocaleMiddleware (before this one) has already picked the switcher's cookie or the browser's
language; an account's own choice wins over both. `request.LANGUAGE_CODE` is set too, because
the page cache keys pages by it (core/page_cache.py through Django's `get_cache_key`)."""

from __future__ import annotations

from django.utils import translation


class AccountLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None else ""
        if language and user.is_authenticated and language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
