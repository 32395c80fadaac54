"""Forms of the reports area: choosing a portfolio, an export, and importing partner cities."""

from __future__ import annotations

import csv
import io

from django import forms
from django.core.validators import URLValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from core.forms import PlainForm
from core.uploads import too_large_message
from partnerships.models import Partner

FORMATS = [("csv", _("CSV")), ("xlsx", _("Excel (xlsx)"))]
MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
IMPORT_COLUMNS = (
    "name",
    "province",
    "country",
    "kind",
    "population",
    "latitude",
    "longitude",
    "north_south",
    "sectors",
    "website",
)
REQUIRED_COLUMNS = {"name", "country"}


class PortfolioForm(PlainForm):
    """Which city's portfolio (admins may also choose every city: an empty choice)."""

    city = forms.TypedChoiceField(label=_("City"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, cities: list[tuple[int, str]], allow_all: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(cities)
        if allow_all:
            choices = [("", _("All cities")), *choices]
        self.fields["city"].choices = choices


class ExportForm(PlainForm):
    format = forms.ChoiceField(choices=FORMATS, required=False)
    city = forms.IntegerField(required=False, min_value=1)

    def clean_format(self):
        return self.cleaned_data.get("format") or "csv"


class CitiesImportForm(PlainForm):
    """A CSV file of partner cities: one row per city, with a header row."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=format_lazy(
            _(
                "UTF-8, comma-separated, with a header row: {columns}. Only name and country are "
                "required; sectors are ISIC section codes separated by ';'."
            ),
            columns=", ".join(IMPORT_COLUMNS),
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                gettext("%(too_large)s Split it into several.")
                % {"too_large": too_large_message(upload.size, MAX_IMPORT_BYTES)}
            )
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as UTF-8 text (CSV UTF-8).")) from None
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
            twice = sorted({h for h in headers if h and headers.count(h) > 1})
            if twice:
                # DictReader would keep the last of the two and drop the other's values.
                raise forms.ValidationError(
                    gettext("These columns appear twice in the header row: %(columns)s.")
                    % {"columns": ", ".join(twice)}
                )
            rows = []
            for raw in reader:
                if len(rows) >= MAX_IMPORT_ROWS:
                    raise forms.ValidationError(
                        gettext("The file has more than %(n)s rows; split it.")
                        % {"n": MAX_IMPORT_ROWS}
                    )
                if raw.get(None):
                    # Cells beyond the header's columns: a shifted row, not data to drop.
                    raise forms.ValidationError(
                        gettext(
                            "Line %(line)s has more cells than the header row has columns: "
                            "check its commas and quotes."
                        )
                        % {"line": reader.line_num}
                    )
                rows.append(
                    {
                        (k or "").strip().lower(): (v if isinstance(v, str) else "")
                        for k, v in raw.items()
                        if k is not None
                    }
                )
        except csv.Error as exc:
            raise forms.ValidationError(
                gettext("This is not a readable CSV file (%(error)s).") % {"error": exc}
            ) from None
        missing = REQUIRED_COLUMNS - set(headers)
        if missing:
            raise forms.ValidationError(
                gettext("The header row lacks the column(s): %(columns)s.")
                % {"columns": ", ".join(sorted(missing))}
            )
        unknown = set(headers) - set(IMPORT_COLUMNS)
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown column(s): %(unknown)s. Expected: %(expected)s.")
                % {"unknown": ", ".join(sorted(unknown)), "expected": ", ".join(IMPORT_COLUMNS)}
            )
        if not rows:
            raise forms.ValidationError(_("The file has a header row but no cities."))
        return rows


class PartnerRowForm(PlainForm):
    """One row of the import, checked as the portal checks a city."""

    name = forms.CharField(max_length=120)
    province = forms.CharField(max_length=120, required=False)
    country = forms.CharField(max_length=2)
    kind = forms.ChoiceField(choices=Partner.Kind.choices, required=False)
    population = forms.IntegerField(min_value=0, required=False)
    latitude = forms.DecimalField(min_value=-90, max_value=90, decimal_places=5, required=False)
    longitude = forms.DecimalField(min_value=-180, max_value=180, decimal_places=5, required=False)
    north_south = forms.CharField(required=False)
    sectors = forms.CharField(required=False)
    website = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, sector_ids: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.sector_ids = sector_ids

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_province(self):
        return " ".join(self.cleaned_data["province"].split())

    def clean_country(self):
        code = self.cleaned_data["country"].strip().upper()
        if code not in countries:
            raise forms.ValidationError(
                gettext("“%(code)s” is not an ISO 3166 country code (e.g. ZA).") % {"code": code}
            )
        return code

    def clean_kind(self):
        return self.cleaned_data["kind"] or Partner.Kind.CITY

    def clean_north_south(self):
        value = self.cleaned_data["north_south"].strip().lower()
        if not value:
            return Partner.GlobalRegion.NORTH
        aliases = {"north": "north", "n": "north", "south": "south", "s": "south"}
        if value not in aliases:
            raise forms.ValidationError(_("Give North or South."))
        return aliases[value]

    def clean_sectors(self):
        codes = [
            c.strip().upper() for c in self.cleaned_data["sectors"].replace(",", ";").split(";")
        ]
        codes = [c for c in codes if c]
        unknown = [c for c in codes if c not in self.sector_ids]
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown sector code(s): %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return sorted({self.sector_ids[c] for c in codes})

    def clean_website(self):
        url = self.cleaned_data["website"].strip()
        if url:
            URLValidator(schemes=["http", "https"])(url)
        return url

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data
