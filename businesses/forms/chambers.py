"""Sign-up (a listed chamber or one not listed) and the staff decisions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from businesses.forms.common import (
    AssociationChoiceField,
    associations_qs,
)
from businesses.models import BusinessAssociation
from core.forms import (
    ChoicesForm,
    NewPasswordFields,
    PlainForm,
)
from gazetteer.selectors import MAX_QUERY, BadQuery, search_places

# --- Sign-up and staff decisions -----------------------------------------------------------------


PLACES_OFFERED = 10  # the most populous places matching the city typed


def find_places(text: str) -> tuple[list, str]:
    """The gazetteer's places whose names start with `text` (the most populous first), and
    what is wrong with the search ("" when nothing is, or nothing was typed)."""
    text = (text or "").strip()
    if not text:
        return [], ""
    try:
        found = list(search_places(text)[:PLACES_OFFERED])
    except BadQuery as exc:
        return [], str(exc)
    if not found:
        return [], (
            _(
                "No place of the gazetteer has a name starting with “%(text)s”: try another "
                "spelling, or another of its names."
            )
            % {"text": text}
        )
    return found, ""


def place_label(place) -> str:
    country = countries.name(place.country) or place.country
    where = ", ".join(p for p in (place.region, country) if p)
    also = getattr(place, "matched_name", "")
    values = {"place": place.name, "also": also, "where": where}
    if place.population:
        values["people"] = number_format(place.population, force_grouping=True)
    if also and also != place.name:
        if place.population:
            text = _("%(place)s (also “%(also)s”) – %(where)s, %(people)s people")
        else:
            text = _("%(place)s (also “%(also)s”) – %(where)s")
    elif place.population:
        text = _("%(place)s – %(where)s, %(people)s people")
    else:
        text = _("%(place)s – %(where)s")
    return text % values


class ChamberFields(PlainForm):
    """The chamber someone asks to join: a listed association, or one not listed that they
    propose (its name, its city found in the gazetteer, website, contact person).

    The city is found in two moves that work without JavaScript: type its name and press
    "Find the city" (the page comes back with the places of that name, what was typed kept),
    then choose one. `city_text` is what was typed (or searched with ?city=)."""

    association = AssociationChoiceField(
        label=_("Business association"),
        queryset=BusinessAssociation.objects.none(),
        required=False,
        empty_label=_("Choose your chamber"),
        help_text=_("The chamber or association you work for, among those listed in the portal."),
    )
    not_listed = forms.BooleanField(
        label=_("My chamber is not listed"),
        required=False,
        help_text=_(
            "Propose it: the officers of its city (or the portal's administrators, where "
            "the city has none) decide on it with your account."
        ),
    )
    name = forms.CharField(label=_("Your chamber's name"), max_length=200, required=False)
    city = forms.CharField(
        label=_("Its city"),
        max_length=MAX_QUERY,
        required=False,
        help_text=_(
            "Any of its names (Durban or eThekwini, Guangzhou or Canton); press “Find the "
            "city”, then choose it."
        ),
    )
    place = forms.TypedChoiceField(
        label=_("Which place is it?"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        choices=[],
    )
    website = forms.URLField(label=_("Its website"), required=False, assume_scheme="https")
    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=120,
        required=False,
        help_text=_("Whom the officers may ask about the chamber (you, or its director)."),
    )

    def setup_chamber(self, city_text: str | None = None) -> None:
        self.fields["association"].queryset = associations_qs()
        if city_text is None:
            source = self.data if self.is_bound else self.initial
            city_text = str(source.get("city") or "")
        self.city_text = city_text.strip()[: MAX_QUERY + 1]
        self.places, self.place_error = find_places(self.city_text)
        self.fields["place"].choices = [(p.pk, place_label(p)) for p in self.places]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("association") and (cleaned.get("name") or self.city_text):
            cleaned["not_listed"] = True  # a chamber described and none chosen: proposed
        if not cleaned.get("not_listed"):
            if not cleaned.get("association") and "association" not in self.errors:
                self.add_error(
                    "association", _("Choose your chamber, or tick “My chamber is not listed”.")
                )
            return cleaned
        if not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Give your chamber's name."))
        if not (cleaned.get("contact_name") or "").strip():
            self.add_error(
                "contact_name", _("Name a contact person the officers can ask about the chamber.")
            )
        if not self.city_text:
            self.add_error("city", _("Type your chamber's city and press “Find the city”."))
        elif self.place_error:
            self.add_error("city", self.place_error)
        elif cleaned.get("place") is None and "place" not in self.errors:
            self.add_error("place", _("Choose your chamber's city among the places found."))
        return cleaned

    def proposal(self) -> dict:
        """The service's arguments for a chamber not listed (`services.chamber_propose`)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "geonameid": data["place"],
            "website": data["website"],
            "contact_name": data["contact_name"],
        }


CHAMBER_FIELDS = ["association", "not_listed", "name", "city", "place", "website", "contact_name"]


class SignupForm(ChoicesForm, ChamberFields, NewPasswordFields):
    """A new account asking to join an association as its staff (or proposing one)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("Work email address"), max_length=254)
    job_title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("What you sign in with: letters, digits and @ . + - _ only."),
    )
    ACCOUNT_FIELDS = ["first_name", "last_name", "email", "job_title", "username"]
    field_order = [*CHAMBER_FIELDS, *ACCOUNT_FIELDS, "password", "password2"]

    def __init__(self, *args, city_text: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_chamber(city_text)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken: choose another."))
        return username

    def account(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in [*self.ACCOUNT_FIELDS, "password"]}


class JoinForm(ChoicesForm, ChamberFields):
    """A signed-in user (not working for a city) asking to join an association (or proposing
    one)."""

    field_order = CHAMBER_FIELDS

    def __init__(self, *args, city_text: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_chamber(city_text)

    def account(self) -> dict:
        return {}


class DecisionForm(PlainForm):
    """Approve or reject (accept or decline…) with a note; the note is required to say no."""

    YES, NO = "yes", "no"
    decision = forms.ChoiceField(widget=forms.RadioSelect)
    note = forms.CharField(label=_("Message"), required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, yes=None, no=None, note_label=None, no_reason=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            (self.YES, yes or _("Approve")),
            (self.NO, no or _("Reject")),
        ]
        self.fields["decision"].label = _("Decision")
        if note_label:
            self.fields["note"].label = note_label
        # The whole sentence, for the verb of `no`.
        self.no_reason = no_reason or _("Say why: the message is required to reject.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.NO and not (cleaned.get("note") or "").strip():
            self.add_error(
                "note",
                self.no_reason,
            )
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.YES
