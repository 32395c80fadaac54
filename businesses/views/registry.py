"""The public partnership registry: no login. What a business first asks — which partnerships
exist, what was signed, whom to talk to — for the partnerships their officers published.

Contacts: the champions' names, titles and sides of the cities that publish their contacts are
shown to everyone. Their email addresses are shown only to signed-in chamber
staff (approved by an officer), officers and admins: publishing a partnership is the city's
decision about the partnership, not each champion's consent to have their address harvested
from an open page by anyone (POPIA in South Africa and the GDPR in Europe apply to them).
Anonymous visitors are pointed to the city's website and to the chamber sign-up instead.

The signed MOU's PDF is served by `registry_mou` only when the cities chose to publish the
document too (a choice of its own, off by default), re-checked on every request (the
partnerships app's own document view is for its cities' officers only). Each side chooses
whether its contact persons are shown.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from businesses import permissions as perms
from businesses import selectors
from businesses.forms import RegistryFilterForm
from core.documents import pdf_attachment
from core.page_cache import cached_page
from core.views import paginate, require
from partnerships.models import MOU, MOUSignatory, Partnership
from partnerships.selectors import partnerships_published

PER_PAGE = 20


def _mou_in_force(partnership: Partnership) -> MOU | None:
    mous = sorted(
        partnership.signed_mous,
        key=lambda m: (m.effective_on or m.signed_on or m.created_at.date(), m.pk),
        reverse=True,
    )
    return mous[0] if mous else None


def _sides(partnership: Partnership) -> list[dict]:
    """Each member city with its contact persons (champions without a side come last)."""
    members = list(partnership.members.all())
    sides = [
        {
            "city": m.partner,
            "is_home": m.role == m.Role.HOME,
            "contacts": [c for c in partnership.contacts if c.partner_id == m.partner_id],
        }
        for m in members
    ]
    member_ids = {m.partner_id for m in members}
    others = [c for c in partnership.contacts if c.partner_id not in member_ids]
    if others:
        sides.append({"city": None, "is_home": False, "contacts": others})
    return sides


@require_GET
@cached_page
def registry(request):
    filters = RegistryFilterForm(request.GET or None)
    qs = filters.filter(selectors.published_registry()).order_by("title", "pk")
    context = paginate(request, qs, PER_PAGE)
    rows = [
        {"p": p, "mou": _mou_in_force(p), "n_contacts": len(p.contacts)}
        for p in context["page"].object_list
    ]
    return render(
        request,
        "businesses/registry/registry.html",
        {**context, "filters": filters, "rows": rows},
    )


@require_GET
def registry_detail(request, pk: int):
    partnership = get_object_or_404(
        selectors.published_registry().prefetch_related(
            Prefetch(
                "signed_mous__signatories",
                queryset=MOUSignatory.objects.select_related("partner").order_by(
                    "partner__name", "name"
                ),
            )
        ),
        pk=pk,
    )
    user = request.user
    is_chamber = user.is_authenticated and perms.is_chamber_staff(user)
    signed_in_party = perms.may_see_registry_emails(user)  # chamber staff, officers, admins
    return render(
        request,
        "businesses/registry/registry_detail.html",
        {
            "p": partnership,
            "members": list(partnership.members.all()),
            "mou": _mou_in_force(partnership),
            "sides": _sides(partnership),
            "show_emails": signed_in_party,
            "is_chamber": is_chamber,
            # What a chamber weighs before taking part: the business sub-alliances it could join
            # (not for anonymous visitors: sub-alliances name firms), and its own interest.
            "open_sub_alliances": list(selectors.sub_alliances_open_to_business(partnership))
            if signed_in_party
            else [],
            "my_registrations": list(selectors.registrations_of_chamber_in(user, partnership))
            if is_chamber
            else [],
        },
    )


@require_GET
def registry_mou(request, pk: int, mou_id: int):
    """The signed MOU of a published partnership whose cities published its document, to
    anyone; a 404 otherwise."""
    partnership = get_object_or_404(
        partnerships_published().filter(publish_mou_document=True), pk=pk
    )
    mou = get_object_or_404(MOU, pk=mou_id, partnership=partnership, status=MOU.Status.SIGNED)
    require(bool(mou.document))
    try:
        handle = mou.document.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    name = slugify(partnership.title) or f"partnership-{partnership.pk}"
    # Public, but re-checked on every request: an unpublished partnership's MOU must go.
    return pdf_attachment(handle, f"{name}-mou.pdf", cache_control="no-cache")


urlpatterns = [
    path("registry/", registry, name="registry"),
    path("registry/<id:pk>/", registry_detail, name="registry_detail"),
    path("registry/<id:pk>/mou/<id:mou_id>/", registry_mou, name="registry_mou"),
]
