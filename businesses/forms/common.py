"""What the chamber forms share: the user's associations as a choice."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from businesses.models import BusinessAssociation


def association_label(association: BusinessAssociation) -> str:
    return _("%(association)s (%(city)s)") % {
        "association": association.organisation.name,
        "city": association.organisation.partner.name,
    }


def associations_qs(ids: Iterable[int] | None = None) -> QuerySet[BusinessAssociation]:
    """Associations with their city, for a choice field: those with these `ids`, or (None) all
    the listed ones (not those proposed at a sign-up and not yet accepted, or rejected)."""
    qs = BusinessAssociation.objects.select_related("organisation__partner")
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    else:
        qs = qs.filter(status=BusinessAssociation.Status.LISTED)
    return qs.order_by("organisation__name")


class AssociationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return association_label(obj)


class AssociationMixin:
    """An association field shown only when the user speaks for more than one (or is an
    admin); with one association it is fixed and the field is left out."""

    def _setup_association(self, associations: QuerySet[BusinessAssociation] | None) -> None:
        self.fixed_association = None
        if associations is None:  # not asked (e.g. editing: the association never changes)
            del self.fields["association"]
            return
        options = list(associations)
        if len(options) == 1:
            self.fixed_association = options[0]
            del self.fields["association"]
        else:
            self.fields["association"].queryset = associations

    def association(self) -> BusinessAssociation | None:
        return self.fixed_association or self.cleaned_data.get("association")
