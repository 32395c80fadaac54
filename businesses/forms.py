"""Forms of the chamber pages: sign-up, staff decisions, business profiles and their import,
interest in partnerships, leads, matchmaking and outcomes.

They expose only what the person may set: never the association's city, who decided, the
status of a registration, or anything of a partnership itself. Choices are limited to what the
user may pick (their own associations and businesses, partnerships open to their interest), and
the services check everything again.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_countries import countries

from alliances.models import SubAlliance
from businesses import imports
from businesses.models import (
    BusinessAssociation,
    BusinessProfile,
    InterestRegistration,
    Need,
    Outcome,
)
from core.forms import (
    ChoicesForm,
    ChoicesModelForm,
    DateInput,
    ModelMultipleChoiceField,
    NewPasswordFields,
    PlainForm,
    check_dates,
)
from core.uploads import too_large_message
from gazetteer.models import PlaceName
from gazetteer.selectors import MAX_QUERY, MIN_QUERY, BadQuery, search_key, search_places
from partnerships.models import (
    CooperationArea,
    Partner,
    Partnership,
    PartnershipMember,
    Sector,
)

CLOSED = [Partnership.Status.ENDED, Partnership.Status.ARCHIVED]


def association_label(association: BusinessAssociation) -> str:
    return f"{association.organisation.name} ({association.organisation.partner.name})"


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
            f"No place of the gazetteer has a name starting with “{text}”: try another "
            "spelling, or another of its names."
        )
    return found, ""


def place_label(place) -> str:
    country = countries.name(place.country) or place.country
    where = ", ".join(p for p in (place.region, country) if p)
    also = getattr(place, "matched_name", "")
    known_as = f" (also “{also}”)" if also and also != place.name else ""
    people = f", {place.population:,} people" if place.population else ""
    return f"{place.name}{known_as} – {where}{people}"


class ChamberFields(PlainForm):
    """The chamber someone asks to join: a listed association, or one not listed that they
    propose (its name, its city found in the gazetteer, website, contact person).

    The city is found in two moves that work without JavaScript: type its name and press
    "Find the city" (the page comes back with the places of that name, what was typed kept),
    then choose one. `city_text` is what was typed (or searched with ?city=)."""

    association = AssociationChoiceField(
        label="Business association",
        queryset=BusinessAssociation.objects.none(),
        required=False,
        empty_label="Choose your chamber",
        help_text="The chamber or association you work for, among those listed in the portal.",
    )
    not_listed = forms.BooleanField(
        label="My chamber is not listed",
        required=False,
        help_text="Propose it: the officers of its city (or the portal's administrators, where "
        "the city has none) decide on it with your account.",
    )
    name = forms.CharField(label="Your chamber's name", max_length=200, required=False)
    city = forms.CharField(
        label="Its city",
        max_length=MAX_QUERY,
        required=False,
        help_text="Any of its names (Durban or eThekwini, Guangzhou or Canton); press “Find the "
        "city”, then choose it.",
    )
    place = forms.TypedChoiceField(
        label="Which place is it?",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        choices=[],
    )
    website = forms.URLField(label="Its website", required=False, assume_scheme="https")
    contact_name = forms.CharField(
        label="Contact person",
        max_length=120,
        required=False,
        help_text="Whom the officers may ask about the chamber (you, or its director).",
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
                    "association", "Choose your chamber, or tick “My chamber is not listed”."
                )
            return cleaned
        if not (cleaned.get("name") or "").strip():
            self.add_error("name", "Give your chamber's name.")
        if not (cleaned.get("contact_name") or "").strip():
            self.add_error(
                "contact_name", "Name a contact person the officers can ask about the chamber."
            )
        if not self.city_text:
            self.add_error("city", "Type your chamber's city and press “Find the city”.")
        elif self.place_error:
            self.add_error("city", self.place_error)
        elif cleaned.get("place") is None and "place" not in self.errors:
            self.add_error("place", "Choose your chamber's city among the places found.")
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

    first_name = forms.CharField(label="First name", max_length=150)
    last_name = forms.CharField(label="Last name", max_length=150)
    email = forms.EmailField(label="Work email address", max_length=254)
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="What you sign in with: letters, digits and @ . + - _ only.",
    )
    ACCOUNT_FIELDS = ["first_name", "last_name", "email", "job_title", "username"]
    field_order = [*CHAMBER_FIELDS, *ACCOUNT_FIELDS, "password", "password2"]

    def __init__(self, *args, city_text: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_chamber(city_text)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken: choose another.")
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
    note = forms.CharField(label="Message", required=False, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, yes="Approve", no="Reject", note_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [(self.YES, yes), (self.NO, no)]
        self.fields["decision"].label = "Decision"
        if note_label:
            self.fields["note"].label = note_label
        self.no_label = no.lower()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.NO and not (cleaned.get("note") or "").strip():
            self.add_error("note", f"Say why: the message is required to {self.no_label}.")
        return cleaned

    @property
    def approve(self) -> bool:
        return self.cleaned_data["decision"] == self.YES


# --- Businesses ----------------------------------------------------------------------------------


class BusinessForm(AssociationMixin, ChoicesForm):
    """A member business's profile: the organisation's name, sectors, website and description,
    and what the matchmaking reads (size, export readiness, what it offers and seeks — products
    and needs —, its position in the value chain and the export markets it seeks)."""

    association = AssociationChoiceField(
        label="Association", queryset=BusinessAssociation.objects.none()
    )
    name = forms.CharField(label="Name", max_length=200)
    sectors = ModelMultipleChoiceField(
        label="Sectors",
        queryset=Sector.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="ISIC sections the business works in.",
    )
    size_band = forms.ChoiceField(label="Size", choices=BusinessProfile.SizeBand.choices)
    export_readiness = forms.ChoiceField(
        label="Export readiness",
        choices=BusinessProfile.ExportReadiness.choices,
        initial=BusinessProfile.ExportReadiness.NONE,
    )
    products_services = forms.CharField(
        label="Products and services",
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text="What the business makes or sells, in plain words: the matchmaking compares "
        "them with what other businesses seek.",
    )
    products_sought = forms.CharField(
        # Not "Products and services sought": a label search for the field above would find both.
        label="What it buys or wants to find",
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text="Inputs, parts, services, partners: the matchmaking compares these words with "
        "what other businesses offer.",
    )
    chain_position = forms.ChoiceField(
        label="Position in the value chain",
        required=False,
        choices=[("", "Not said"), *BusinessProfile.ChainPosition.choices],
        help_text="A supplier is one stage before its buyer; services serve any stage.",
    )
    markets_sought = forms.MultipleChoiceField(
        label="Export markets sought",
        required=False,
        choices=list(countries),
        widget=forms.SelectMultiple({"size": 6}),
        help_text="Countries where it wants to sell (hold Ctrl or ⌘ to choose several).",
    )
    seeks = ModelMultipleChoiceField(
        label="It seeks",
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    offers = ModelMultipleChoiceField(
        label="It offers",
        queryset=Need.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_name = forms.CharField(label="Contact person", max_length=120, required=False)
    contact_email = forms.EmailField(label="Contact email", required=False)
    contact_phone = forms.CharField(label="Contact phone", max_length=40, required=False)
    website = forms.URLField(label="Website", required=False, assume_scheme="https")
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, associations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)
        self.fields["sectors"].queryset = Sector.objects.order_by("code")
        needs = list(Need.objects.order_by("position", "code"))
        self.fields["seeks"].queryset = Need.objects.order_by("position", "code")
        self.fields["offers"].queryset = Need.objects.order_by("position", "code")
        # One read of the needs serves both lists (and their labels differ).
        self.fields["seeks"].choices = [(n.pk, n.name) for n in needs]
        self.fields["offers"].choices = [(n.pk, n.offer_name) for n in needs]

    @staticmethod
    def initial_for(business: BusinessProfile) -> dict:
        organisation = business.organisation
        return {
            "name": organisation.name,
            "sectors": [s.pk for s in organisation.sectors.all()],
            "size_band": business.size_band,
            "export_readiness": business.export_readiness,
            "products_services": business.products_services,
            "products_sought": business.products_sought,
            "chain_position": business.chain_position,
            "markets_sought": [c.code for c in business.markets_sought],
            "seeks": [n.pk for n in business.seeks.all()],
            "offers": [n.pk for n in business.offers.all()],
            "contact_name": business.contact_name,
            "contact_email": business.contact_email,
            "contact_phone": business.contact_phone,
            "website": organisation.website,
            "description": organisation.description,
        }

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("association", None)
        return data


class BusinessFilterForm(ChoicesForm):
    q = forms.CharField(label="Name contains", required=False, max_length=100)
    sector = forms.ModelChoiceField(
        label="Sector", required=False, queryset=Sector.objects.none(), empty_label="Any sector"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].queryset = Sector.objects.order_by("code")

    def filter(self, qs):
        if not self.is_valid():
            return qs
        if self.cleaned_data.get("q"):
            qs = qs.filter(organisation__name__icontains=self.cleaned_data["q"].strip())
        if self.cleaned_data.get("sector"):
            qs = qs.filter(organisation__sectors=self.cleaned_data["sector"])
        return qs


class ImportForm(AssociationMixin, ChoicesForm):
    association = AssociationChoiceField(
        label="Association", queryset=BusinessAssociation.objects.none()
    )
    file = forms.FileField(
        label="CSV file",
        help_text="A header row, then one business per row (UTF-8; comma, semicolon or tab "
        f"separated; at most {imports.MAX_ROWS:,} rows). Download the template to start.",
    )

    def __init__(self, *args, associations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(
                too_large_message(upload.size, imports.MAX_BYTES) + " Split it into several."
            )
        return upload


# --- Interest and leads --------------------------------------------------------------------------


class BusinessChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.organisation.name


def partnerships_open_to(association_cities: Iterable[int] | None) -> QuerySet[Partnership]:
    """Partnerships a chamber may register interest in: published ones and its own city's,
    still running (`None`: all running ones, for admins)."""
    qs = Partnership.objects.exclude(status__in=CLOSED)
    if association_cities is not None:
        own = PartnershipMember.objects.filter(
            partnership=OuterRef("pk"), partner_id__in=list(association_cities)
        )
        qs = qs.filter(Q(published=True) | Exists(own))
    return qs.order_by("title")


class InterestForm(AssociationMixin, ChoicesModelForm):
    association = AssociationChoiceField(
        label="Association", queryset=BusinessAssociation.objects.none()
    )
    partnership = forms.ModelChoiceField(
        label="Partnership",
        queryset=Partnership.objects.none(),
        help_text="A published partnership, or one of your own city's.",
    )
    businesses = BusinessChoiceField(
        label="Member businesses",
        queryset=BusinessProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The businesses that want to take part.",
    )
    sectors = ModelMultipleChoiceField(
        label="Sectors",
        queryset=Sector.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = InterestRegistration
        fields = ["objectives", "offers", "seeks", "timeframe"]
        widgets = {
            "objectives": forms.Textarea({"rows": 3}),
            "offers": forms.Textarea({"rows": 2}),
            "seeks": forms.Textarea({"rows": 2}),
        }

    field_order = [
        "association",
        "partnership",
        "businesses",
        "objectives",
        "sectors",
        "offers",
        "seeks",
        "timeframe",
    ]

    def __init__(
        self,
        *args,
        associations=None,
        partnerships=None,
        businesses=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)
        self.fields["partnership"].queryset = partnerships
        self.fields["businesses"].queryset = businesses
        self.fields["sectors"].queryset = Sector.objects.order_by("code")
        self.fields["objectives"].required = True

    def _post_clean(self):
        # The registration is built and checked by the service (with its partnership and
        # association); the form only validates its own fields.
        pass


class LeadForm(AssociationMixin, ChoicesForm):
    association = AssociationChoiceField(
        label="Association", queryset=BusinessAssociation.objects.none()
    )
    target = forms.ModelChoiceField(
        label="Proposed partner city",
        queryset=Partner.objects.none(),
        help_text="A city your city has no partnership with yet.",
    )
    rationale = forms.CharField(
        label="Why this city",
        widget=forms.Textarea({"rows": 4}),
        help_text="Markets, sectors, existing business ties: what your members would gain.",
    )
    businesses = BusinessChoiceField(
        label="Member businesses behind it",
        queryset=BusinessProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The businesses that would trade or work with the city.",
    )
    trade = forms.CharField(
        label="Trade in view",
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text="What would be bought, sold or made together, and roughly how much.",
    )

    def __init__(self, *args, associations=None, targets=None, businesses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._setup_association(associations)
        self.fields["target"].queryset = targets
        self.fields["businesses"].queryset = (
            businesses if businesses is not None else BusinessProfile.objects.none()
        )


class LeadDecisionForm(ChoicesForm):
    TAKE_UP, DECLINE = "take_up", "decline"
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            (TAKE_UP, "Take it up as a candidate of a partnership in the search step"),
            (DECLINE, "Decline it"),
        ],
    )
    partnership = forms.ModelChoiceField(
        label="Partnership in the search step",
        queryset=Partnership.objects.none(),
        required=False,
        empty_label="Choose the partnership",
    )
    message = forms.CharField(
        label="Message to the chamber",
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text="Required when declining.",
    )

    def __init__(self, *args, partnerships=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = (
            partnerships if partnerships is not None else Partnership.objects.none()
        )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == self.TAKE_UP and not cleaned.get("partnership"):
            self.add_error("partnership", "Choose the partnership whose search it feeds.")
        if decision == self.DECLINE and not (cleaned.get("message") or "").strip():
            self.add_error("message", "Tell the chamber why the proposal is declined.")
        return cleaned


# --- Matchmaking and outcomes --------------------------------------------------------------------


class PairForm(PlainForm):
    """The pair of a matchmaking suggestion (hidden fields of its one-click button)."""

    first = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related("organisation"), widget=forms.HiddenInput
    )
    second = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related("organisation"), widget=forms.HiddenInput
    )
    form = forms.ChoiceField(
        label="Form of collaboration",
        choices=SubAlliance.Form.choices,
        initial=SubAlliance.Form.PARTNERSHIP,
        required=False,
    )


PICK_A_MATCH = "Choose one of the matches shown."


class MatchProposalForm(PlainForm):
    """A chamber proposing one of its matches: the pair (hidden) and a word to the officers."""

    first = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related(
            "organisation", "association__organisation"
        ),
        widget=forms.HiddenInput,
        error_messages={"required": PICK_A_MATCH, "invalid_choice": PICK_A_MATCH},
    )
    second = forms.ModelChoiceField(
        queryset=BusinessProfile.objects.select_related("organisation"),
        widget=forms.HiddenInput,
        error_messages={"required": PICK_A_MATCH, "invalid_choice": PICK_A_MATCH},
    )
    message = forms.CharField(
        label="Message to the officers",
        required=False,
        max_length=2000,
        widget=forms.Textarea({"rows": 2}),
        help_text="Optional: why this pair, what the businesses would do together.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.has_error("first") or self.has_error("second"):
            # One plain message for a pair that is missing or not a business (anything a
            # page of matches could not have sent), on the form rather than hidden fields.
            self.errors.pop("first", None)
            self.errors.pop("second", None)
            self.add_error(None, PICK_A_MATCH)
        return cleaned


class MatchDecisionForm(DecisionForm):
    """Accept a proposed match into a sub-alliance (in which form) or decline it."""

    form = forms.ChoiceField(
        label="Form of collaboration",
        choices=SubAlliance.Form.choices,
        initial=SubAlliance.Form.PARTNERSHIP,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("yes", "Accept: form a business sub-alliance")
        kwargs.setdefault("no", "Decline")
        kwargs.setdefault("note_label", "Message to the chamber")
        super().__init__(*args, **kwargs)


class OutcomeForm(ChoicesModelForm):
    class Meta:
        model = Outcome
        fields = ["kind", "amount", "currency", "occurred_on", "partner", "note"]
        widgets = {"occurred_on": DateInput(), "note": forms.Textarea({"rows": 2})}
        labels = {"occurred_on": "Date", "partner": "Side"}
        help_texts = {"amount": "A count, or a sum of money (then give its currency)."}

    def __init__(self, *args, sides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = sides if sides is not None else Partner.objects.none()
        self.fields["partner"].empty_label = "Both sides / not one side"
        self.fields["currency"].widget.attrs.update({"maxlength": 3, "size": 4})

    def clean(self):
        cleaned = super().clean()
        check_dates(self)
        return cleaned

    def _post_clean(self):
        # The sub-alliance is not on the instance yet; the service validates the whole row.
        currency = (self.cleaned_data.get("currency") or "").strip().upper()
        if "currency" in self.cleaned_data:
            self.cleaned_data["currency"] = currency


# --- The public registry -------------------------------------------------------------------------


class RegistryFilterForm(ChoicesForm):
    q = forms.CharField(
        label="City (any of its names) or title",
        required=False,
        max_length=100,
        help_text="“Durban” finds eThekwini, “Canton” Guangzhou.",
    )
    category = forms.ChoiceField(
        label="Category",
        required=False,
        choices=[("", "Any category"), *Partnership.Category.choices],
    )
    area = forms.ModelChoiceField(
        label="Area of cooperation",
        required=False,
        queryset=CooperationArea.objects.none(),
        empty_label="Any area",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = CooperationArea.objects.order_by("name")

    def filter(self, qs):
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            member = PartnershipMember.objects.filter(partnership=OuterRef("pk"))
            found = Q(title__icontains=text) | Exists(member.filter(partner__name__icontains=text))
            key = search_key(text)
            if len(key) >= MIN_QUERY:
                # A city by any of its names in the gazetteer: "Durban" finds eThekwini.
                places = PlaceName.objects.filter(key__startswith=key).values("place_id")
                found |= Exists(member.filter(partner__geonameid__in=places))
            qs = qs.filter(found)
        if data.get("category"):
            qs = qs.filter(category=data["category"])
        if data.get("area"):
            qs = qs.filter(areas=data["area"])
        return qs
