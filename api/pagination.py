"""Cursor pagination for every list: stable under inserts, constant cost on any page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor is opaque but not signed: a hand-made one whose position is not of the
        # ordering's type ("p=abc" where the list is ordered by id) is an invalid cursor, the
        # 404 DRF gives any other, not a 500.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None
