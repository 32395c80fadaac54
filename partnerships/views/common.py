"""What every partnership view needs: the partnership the user may see or change, or a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from partnerships import selectors
from partnerships.models import Partnership


def visible_partnership_or_404(request, pk: int) -> Partnership:
    """A 404, not a 403, for other cities' private partnerships: their existence is private too."""
    return get_object_or_404(selectors.partnerships_visible_to(request.user), pk=pk)


def editable_partnership_or_404(request, pk: int) -> Partnership:
    return get_object_or_404(selectors.partnerships_editable_by(request.user), pk=pk)
