"""Forms of step 8: starting a review, filling it in, recording a lesson, and searching the
city's lessons (the alliance knowledge base).

They expose only what an officer may set (never the partnership, status, author or the
completion) and check what a person can get wrong, with the message on the field. The writes
are done by the services of the "measurement and learning" section of `partnerships.services`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.formatting import day
from core.forms import PlainForm, PortalModelForm, text_area
from partnerships.models import KPI, Lesson, Review, Step, SuccessFactorRating
from partnerships.services import factor_field, kpi_field

RATINGS = [
    ("", _("Not rated")),
    (1, _("1 – poor")),
    (2, _("2 – weak")),
    (3, _("3 – fair")),
    (4, _("4 – good")),
    (5, _("5 – strong")),
]
SCORECARD = [
    ("", _("Not scored")),
    (1, _("1 – not at all")),
    (2, _("2 – a little")),
    (3, _("3 – partly")),
    (4, _("4 – largely")),
    (5, _("5 – fully")),
]
NOTE_LENGTH = 240
# The inputs shown in the page's tables (not rendered by crispy) carry Bootstrap's classes.
SMALL_INPUT = {"class": "form-control form-control-sm"}
SMALL_SELECT = {"class": "form-select form-select-sm"}


_day = day


def note_field(name: str) -> str:
    return f"{name}_note"


def number(value: Decimal | None) -> str:
    """A decimal without trailing zeros: 2.00 → 2, 2.50 → 2.5, 100 → 100."""
    if value is None:
        return ""
    return f"{value.normalize():f}"


def on_target(kpi: KPI, actual: Decimal | None, on: dt.date) -> bool | None:
    """Whether `actual` reaches what the KPI has due by `on`, a review's period end (None
    without a value)."""
    if actual is None:
        return None
    return kpi.reached(actual, on=on)


class ReviewStartForm(PortalModelForm):
    """The period a new draft review covers."""

    class Meta:
        model = Review
        fields = ["period_start", "period_end"]
        labels = {"period_start": _("Period from"), "period_end": _("Period to")}


def _score_field(label: str, choices, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        help_text=help_text,
    )


class ReviewForm(PortalModelForm):
    """A draft review in full: the review's own fields, and one actual value (with a note) per
    KPI of the partnership and one rating (with a note) per success factor."""

    class Meta:
        model = Review
        fields = [
            "period_start",
            "period_end",
            "narrative",
            "effectiveness",
            "effectiveness_note",
            "efficiency",
            "efficiency_note",
            *Review.FAILURE_CAUSE_FIELDS,
            "decision",
            "decision_reason",
            "new_expiry_on",
            "end_on",
        ]
        widgets = {
            "narrative": text_area(5),
            "effectiveness_note": text_area(2),
            "efficiency_note": text_area(2),
            "decision_reason": text_area(3),
        }
        labels = {
            "period_start": _("Period from"),
            "period_end": _("Period to"),
            "effectiveness_note": _("Why"),
            "efficiency_note": _("Why"),
            "decision_reason": _("Reason for the decision"),
            "new_expiry_on": _("New expiry of the MOU"),
            "end_on": _("The partnership ends on"),
            "narrative": _("Narrative"),
        }
        help_texts = {
            "narrative": _("How the partnership did in this period, in a few paragraphs."),
            "decision_reason": _("Required to end the partnership; it is kept with the record."),
            "new_expiry_on": _("Only with “Renew the MOU”: after the signed MOU's current expiry."),
            "end_on": _("Only with “End the partnership”: its MOU is terminated on this date."),
        }

    def __init__(
        self,
        *args,
        kpis: list[KPI],
        ratings: dict[str, SuccessFactorRating],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kpis = kpis
        self.fields["effectiveness"] = _score_field(
            _("Effectiveness"), SCORECARD, _("Is it achieving its objectives?")
        )
        self.fields["efficiency"] = _score_field(
            _("Efficiency"), SCORECARD, _("Is it well managed for what it costs both cities?")
        )
        self.fields["decision"] = forms.ChoiceField(
            label=_("Decision"),
            choices=[("", _("Not decided yet")), *Review.Decision.choices],
            required=False,
            help_text=_(
                "Completing the review applies it: a pause pauses the partnership; an "
                "end ends it and terminates its MOU; a renewal extends the MOU."
            ),
        )
        for kpi in kpis:
            name = kpi_field(kpi.pk)
            self.fields[name] = forms.DecimalField(
                label=f"{kpi.name} ({kpi.unit})",
                max_digits=14,
                decimal_places=2,
                required=False,
                initial=kpi.r_actual,
                widget=forms.NumberInput(attrs={**SMALL_INPUT, "step": "0.01"}),
                help_text=_("Target %(target)s (baseline %(baseline)s).")
                % {"target": number(kpi.target), "baseline": number(kpi.baseline)}
                if kpi.target_date is None
                else _("Target %(target)s by %(date)s (baseline %(baseline)s).")
                % {
                    "target": number(kpi.target),
                    "date": _day(kpi.target_date),
                    "baseline": number(kpi.baseline),
                },
            )
            self.fields[note_field(name)] = forms.CharField(
                label=_("Note on %(kpi)s") % {"kpi": kpi.name},
                max_length=NOTE_LENGTH,
                required=False,
                initial=kpi.r_note,
                widget=forms.TextInput(attrs=SMALL_INPUT),
            )
        for factor in SuccessFactorRating.Factor:
            name = factor_field(factor.value)
            current = ratings.get(factor.value)
            self.fields[name] = _score_field(factor.label, RATINGS)
            self.fields[name].widget.attrs.update(SMALL_SELECT)
            self.fields[name].initial = current.rating if current else None
            self.fields[note_field(name)] = forms.CharField(
                label=_("Note on %(factor)s") % {"factor": factor.label.lower()},
                max_length=NOTE_LENGTH,
                required=False,
                initial=current.note if current else "",
                widget=forms.TextInput(attrs=SMALL_INPUT),
            )

    # --- What the services take ---

    def review_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def kpi_results(self) -> dict[int, dict]:
        data = self.cleaned_data
        return {
            kpi.pk: {
                "actual": data.get(kpi_field(kpi.pk)),
                "note": data.get(note_field(kpi_field(kpi.pk)), ""),
            }
            for kpi in self.kpis
        }

    def factor_ratings(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            factor.value: {
                "rating": data.get(factor_field(factor.value)),
                "note": data.get(note_field(factor_field(factor.value)), ""),
            }
            for factor in SuccessFactorRating.Factor
        }

    # --- What the page shows ---

    def _value(self, name: str):
        """The value the page shows: the cleaned one after a valid POST, else the initial."""
        if self.is_bound:
            return getattr(self, "cleaned_data", {}).get(name)
        return self.fields[name].initial

    def kpi_rows(self) -> list[dict]:
        # What is due depends on the period's end: the one typed when it is valid.
        on = self._value("period_end") or self.instance.period_end
        rows = []
        for kpi in self.kpis:
            name = kpi_field(kpi.pk)
            rows.append(
                {
                    "kpi": kpi,
                    "field": self[name],
                    "note": self[note_field(name)],
                    "due": kpi.due_by(on),
                    "on_target": on_target(kpi, self._value(name), on),
                }
            )
        return rows

    def factor_rows(self) -> list[dict]:
        return [
            {
                "field": self[factor_field(f.value)],
                "note": self[note_field(factor_field(f.value))],
            }
            for f in SuccessFactorRating.Factor
        ]

    def cause_fields(self) -> list:
        return [self[name] for name in Review.FAILURE_CAUSE_FIELDS]


class ReviewChoiceField(forms.TypedChoiceField):
    """One of the partnership's reviews, from a list already read: the page asks no query
    while rendering the options, and an id that is not one of them is refused politely."""

    def __init__(self, *, reviews: list[Review], **kwargs):
        self.reviews = {r.pk: r for r in reviews}
        choices = [
            ("", _("Not from a review")),
            *(
                (r.pk, f"{_day(r.period_start)} – {_day(r.period_end)} ({r.status})")
                for r in reviews
            ),
        ]
        super().__init__(
            choices=choices,
            coerce=self.review_of,
            empty_value=None,
            error_messages={"invalid_choice": _("Choose a review of this partnership.")},
            **kwargs,
        )

    def review_of(self, value) -> Review:
        if not self.valid_value(value):
            raise ValueError(value)  # reported as "invalid_choice"
        return self.reviews[int(value)]

    def valid_value(self, value):
        text = str(value)
        return text.isdigit() and len(text) < 19 and int(text) in self.reviews

    def prepare_value(self, value):
        return value.pk if isinstance(value, Review) else value


class LessonForm(PortalModelForm):
    """A lesson of one partnership, optionally drawn from one of its reviews."""

    class Meta:
        model = Lesson
        fields = ["step", "theme", "text", "shared"]
        widgets = {"text": text_area(4)}
        labels = {
            "step": _("Step it concerns"),
            "theme": _("Theme"),
            "text": _("Text"),
        }
        help_texts = {
            "theme": _("A short tag others will search by: continuity, funding, marketing…"),
        }

    def __init__(self, *args, reviews: list[Review], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["review"] = ReviewChoiceField(
            reviews=reviews, required=False, label=_("Drawn from review")
        )

    def clean_theme(self):
        return " ".join(self.cleaned_data["theme"].split())


class LessonSearchForm(PlainForm):
    """The knowledge base's filters; an invalid one is ignored (and says why)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Theme, text or partnership."),
    )
    step = forms.TypedChoiceField(
        label=_("Step"),
        choices=[("", _("Any step")), *Step.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    city = forms.TypedChoiceField(label=_("City"), coerce=int, empty_value=None, required=False)
    adopted = forms.ChoiceField(
        label=_("Adopted"),
        required=False,
        choices=[
            ("", _("Adopted or not")),
            ("yes", _("Adopted into a strategy")),
            ("no", _("Not adopted yet")),
        ],
    )
    scope = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All I may see (incl. published)")), ("mine", _("Only my cities"))],
    )

    def __init__(self, *args, themes: list[str], cities: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("Any theme")), *((t, t) for t in themes)]
        self.fields["city"].choices = [("", _("Any city")), *cities]

    def filters(self) -> dict:
        """The valid filters (is_valid() is asked first; invalid ones are left out)."""
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}
