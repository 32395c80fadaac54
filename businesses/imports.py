"""Reading a chamber's CSV file of member businesses, row by row, with a reason for every row
that is not imported. The writing is `services.businesses_import_csv`.

The format (a header row, then one business per row; UTF-8, with or without a BOM; comma,
semicolon or tab separated, as spreadsheets export it):

    name,sectors,size_band,products_services,export_readiness,seeks,offers,contact_name,…

- Required columns: `name`, `sectors`, `size_band`. Optional: `products_services`,
  `products_sought`, `chain_position`, `markets_sought`, `export_readiness`, `seeks`,
  `offers`, `contact_name`, `contact_email`, `contact_phone`, `website`, `description`.
  Header names are matched case-insensitively; spaces and hyphens count as underscores;
  common other spellings are in COLUMN_ALIASES. An unknown column is ignored, with a warning
  in the report.
- `sectors`: ISIC section letters (A–U), several separated by `;`, `,`, `|` or spaces.
- `size_band`: micro, small, medium or large. `export_readiness`: none, exploring, ready or
  exporting (empty means none). `seeks` / `offers`: buyers, suppliers, investment,
  technology, students, tourism, separated like sectors.
- `products_sought`: what the business buys or wants to find, in plain words (the
  matchmaking compares them with what others offer).
- `chain_position`: primary, processing, distribution, retail or services, or the label the
  business form shows for one (e.g. “Manufacturing and processing”); empty means not said.
- `markets_sought`: ISO 3166 alpha-2 country codes (e.g. `SE;DE`) or English country names
  (“South Africa”), separated by `;` or `|` (codes also by `,` or spaces; names also by `,`).
- At most MAX_ROWS rows and MAX_BYTES bytes.

Why the csv module and not django-import-export / tablib: the rules here are the domain's (a
business is an Organisation plus a profile with three many-to-many lists given as codes, the
same business never twice, a per-row reason in the chamber's words, a row with bytes that are
not UTF-8 refused on its own instead of the whole file), and the report is shown in the
portal, not the admin. A `Resource` would need overriding at every one of those points, and
the library is not installed; reading CSV is the easy part and the standard library does it.
"""

from __future__ import annotations

import csv
import enum
import re
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy
from django_countries import countries

from alliances.models import normalise_name
from businesses.models import BusinessProfile, Need
from core.errors import DomainError
from core.text import ControlCharacterValidator
from partnerships.models import Sector

MAX_ROWS = 5_000
MAX_BYTES = 5 * 1024 * 1024

REQUIRED_COLUMNS = ("name", "sectors", "size_band")
OPTIONAL_COLUMNS = (
    "products_services",
    "products_sought",
    "chain_position",
    "markets_sought",
    "export_readiness",
    "seeks",
    "offers",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
    "description",
)
# Other spellings of the column names that spreadsheets commonly carry.
COLUMN_ALIASES = {
    "business": "name",
    "business_name": "name",
    "company": "name",
    "sector": "sectors",
    "size": "size_band",
    "products": "products_services",
    "products_and_services": "products_services",
    "products_and_services_sought": "products_sought",
    "products_services_sought": "products_sought",
    "seeks_products": "products_sought",
    "sought_products": "products_sought",
    "position_in_the_value_chain": "chain_position",
    "value_chain_position": "chain_position",
    "value_chain": "chain_position",
    "markets": "markets_sought",
    "export_markets": "markets_sought",
    "export_markets_sought": "markets_sought",
    "target_markets": "markets_sought",
    "export": "export_readiness",
    "seek": "seeks",
    "offer": "offers",
    "contact": "contact_name",
    "email": "contact_email",
    "phone": "contact_phone",
}
LIST_SEPARATORS = re.compile(r"[;,|/\s]+")
# Countries: a name may hold spaces (and a few a comma), so a cell is cut at `;` or `|`, then
# at commas that do not belong to a name, and a part is cut at spaces or `/` only when every
# piece is a code (“SE DE”).
COUNTRY_GROUPS = re.compile(r"[;|]")
CODE_SEPARATORS = re.compile(r"[/\s]+")


class RowStatus(enum.StrEnum):
    CREATED = "created"
    EXISTS = "exists"  # the business is already registered in the city: left unchanged
    DUPLICATE = "duplicate"  # the same business appears earlier in the file
    REFUSED = "refused"  # something in the row is wrong: the reason says what
    SKIPPED = "skipped"  # an empty line


# The report's summary: how many rows of each status.
SUMMARY_TEXTS = {
    RowStatus.CREATED: ngettext_lazy("%(n)s created", "%(n)s created", "n"),
    RowStatus.EXISTS: ngettext_lazy("%(n)s already registered", "%(n)s already registered", "n"),
    RowStatus.DUPLICATE: ngettext_lazy(
        "%(n)s repeated in the file", "%(n)s repeated in the file", "n"
    ),
    RowStatus.REFUSED: ngettext_lazy("%(n)s refused", "%(n)s refused", "n"),
    RowStatus.SKIPPED: ngettext_lazy("%(n)s empty line skipped", "%(n)s empty lines skipped", "n"),
}


@dataclass
class RowResult:
    """What became of one row of the file; `line` is its line number in the file (the header
    is line 1), as a spreadsheet shows it."""

    line: int
    name: str = ""
    status: RowStatus | None = None
    message: str = ""
    business_id: int | None = None
    values: dict = field(default_factory=dict, repr=False)

    def refuse(self, status: RowStatus, message: str) -> None:
        self.status, self.message = status, message

    def created(self, business_id: int) -> None:
        self.status, self.message, self.business_id = RowStatus.CREATED, _("Created."), business_id

    def as_tuple(self) -> tuple[int, str, str]:
        return (self.line, str(self.status), self.message)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, status: RowStatus) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def created(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == RowStatus.CREATED]

    @property
    def not_imported(self) -> list[RowResult]:
        return [r for r in self.rows if r.status != RowStatus.CREATED]

    @property
    def summary(self) -> str:
        counts = [(self.count(status), text) for status, text in SUMMARY_TEXTS.items()]
        return "; ".join(str(text % {"n": n}) for n, text in counts if n)


@dataclass
class ParsedFile:
    rows: list[RowResult]
    warnings: list[str]


def describe(exc: ValidationError) -> str:
    """A ValidationError as one sentence per problem, named by field."""
    if not hasattr(exc, "message_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, messages in exc.message_dict.items():
        if name == NON_FIELD_ERRORS:
            parts.extend(messages)
            continue
        label = name.replace("_", " ").capitalize()
        parts.extend(_("%(field)s: %(problem)s") % {"field": label, "problem": m} for m in messages)
    return " ".join(parts)


# --- Decoding ---------------------------------------------------------------------------------


def _read_bytes(file) -> bytes:
    data = file.read(MAX_BYTES + 1) if hasattr(file, "read") else file
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(value)s MB: split it into several.")
            % {"value": MAX_BYTES // (1024 * 1024)}
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data


def _decoded_lines(data: bytes) -> tuple[list[str], set[int]]:
    """The file's physical lines decoded one by one, and the numbers of the lines that were not
    UTF-8 (decoded with replacement characters, so that only their rows are refused)."""
    lines, bad = [], set()
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("utf-8", errors="replace"))
            bad.add(number)
    return lines, bad


def _dialect(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _column_name(raw: str) -> str:
    name = re.sub(r"[\s\-]+", "_", raw.strip().lower())
    return COLUMN_ALIASES.get(name, name)


def _header(cells: list[str]) -> tuple[list[str], list[str]]:
    columns = [_column_name(c) for c in cells]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise DomainError(
            _(
                "The first row must name the columns; missing: %(missing)s. Required: "
                "%(required)s; optional: %(optional)s."
            )
            % {
                "missing": ", ".join(missing),
                "required": ", ".join(REQUIRED_COLUMNS),
                "optional": ", ".join(OPTIONAL_COLUMNS),
            }
        )
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise DomainError(
            _("These columns appear twice in the first row: %(names)s")
            % {"names": ", ".join(repeated)}
        )
    warnings = [
        _("The column “%(column)s” is not known and was ignored.") % {"column": cell.strip()}
        for cell, column in zip(cells, columns, strict=True)
        if column and column not in known
    ]
    return columns, warnings


# --- Values -----------------------------------------------------------------------------------


class _Lookups:
    """The reference lists, read once per file (two queries)."""

    def __init__(self) -> None:
        self.sectors = {s.code.upper(): s for s in Sector.objects.all()}
        self.needs = {n.code: n for n in Need.objects.all()}
        self.sizes = {c.lower(): c for c in BusinessProfile.SizeBand.values}
        self.readiness = {c.lower(): c for c in BusinessProfile.ExportReadiness.values}
        positions = BusinessProfile.ChainPosition
        # The labels as the business form shows them, in the reader's language and in English.
        self.positions = {str(label).lower(): code for code, label in positions.choices}
        with translation.override("en"):
            for code, label in positions.choices:
                self.positions.setdefault(str(label).lower(), code)
        self.positions.update({code: code for code in positions.values})
        # Country names in English (and the older names django-countries keeps), read once
        # per file so that a cell costs dictionary look-ups, whatever its length.
        with translation.override("en"):
            self.countries = {_key(c.name): c.code for c in countries}
            for code, names in countries.shadowed_names.items():
                for name in names:
                    self.countries.setdefault(_key(name), code)

    def country(self, text: str) -> str:
        """The alpha-2 code of a country given by its code or English name, "" if unknown."""
        key = _key(text)
        if len(key) == 2 and key.upper() in countries:
            return key.upper()
        return self.countries.get(key, "") if len(key) > 2 else ""

    def countries_in(self, text: str) -> tuple[list[str], list[str]]:
        """The codes of the countries in a `markets_sought` cell, and the parts not known."""
        codes: list[str] = []
        unknown: list[str] = []
        for group in COUNTRY_GROUPS.split(text):
            parts = [p.strip() for p in group.split(",")]
            i = 0
            while i < len(parts):
                # A few names hold one comma (“Palestine, State of”): try two parts as one.
                pair = ", ".join(parts[i : i + 2]) if i + 1 < len(parts) else ""
                if pair and (code := self.country(pair)):
                    codes.append(code)
                    i += 2
                    continue
                part, i = parts[i], i + 1
                if not part:
                    continue
                if code := self.country(part):
                    codes.append(code)
                    continue
                pieces = [p for p in CODE_SEPARATORS.split(part) if p]
                found = [self.country(p) if len(p) == 2 else "" for p in pieces]
                if len(pieces) > 1 and all(found):  # “SE DE”
                    codes += found
                else:
                    unknown.append(part)
        return codes, unknown


def _key(text) -> str:
    """A name as looked up: lower case, runs of spaces as one."""
    return " ".join(str(text).split()).lower()


def _quoted(items) -> str:
    """“A”, “B”: the items as the reader typed them, quoted."""
    return ", ".join(_("“%(item)s”") % {"item": item} for item in items)


def _codes(text: str) -> list[str]:
    return [c for c in LIST_SEPARATORS.split(text.strip()) if c]


def _values(cells: dict[str, str], lookups: _Lookups) -> tuple[dict, list[str]]:
    """The service's keyword arguments for one row, and what is wrong with it."""
    problems: list[str] = []
    values: dict = {}
    # What the profile form refuses, a row refuses (a NUL would also stop PostgreSQL's insert).
    for column, text in cells.items():
        try:
            ControlCharacterValidator(multiline=True)(text or "")
        except ValidationError as exc:
            problems.append(
                _("The column “%(column)s”: %(problem)s")
                % {"column": column, "problem": " ".join(exc.messages)}
            )
    name = normalise_name(cells.get("name", ""))
    if not name:
        problems.append(_("The name is missing."))
    values["name"] = name

    sector_codes = [c.upper() for c in _codes(cells.get("sectors", ""))]
    unknown = [c for c in sector_codes if c not in lookups.sectors]
    if unknown:
        problems.append(
            _("Unknown sector code %(codes)s: use ISIC section letters A–U, e.g. “C” or “A;C”.")
            % {"codes": _quoted(unknown)}
        )
    elif not sector_codes:
        problems.append(_("Give at least one sector (an ISIC section letter, e.g. “C”)."))
    values["sectors"] = [lookups.sectors[c] for c in dict.fromkeys(sector_codes) if not unknown]

    size = cells.get("size_band", "").strip().lower()
    if size not in lookups.sizes:
        if size:
            text = _("The size band is “%(size)s”: use one of %(sizes)s.")
        else:
            text = _("The size band is missing: use one of %(sizes)s.")
        problems.append(
            text % {"size": cells.get("size_band", "").strip(), "sizes": ", ".join(lookups.sizes)}
        )
    values["size_band"] = lookups.sizes.get(size, "")

    readiness = cells.get("export_readiness", "").strip().lower() or "none"
    if readiness not in lookups.readiness:
        problems.append(
            _("The export readiness “%(readiness)s” is not one of %(choices)s.")
            % {
                "readiness": cells["export_readiness"].strip(),
                "choices": ", ".join(lookups.readiness),
            }
        )
    values["export_readiness"] = lookups.readiness.get(readiness, "none")

    position = cells.get("chain_position", "")
    key = _key(position)
    if key and key not in lookups.positions:
        problems.append(
            _("The chain position “%(position)s” is not one of %(choices)s (or empty).")
            % {
                "position": position.strip(),
                "choices": ", ".join(BusinessProfile.ChainPosition.values),
            }
        )
    values["chain_position"] = lookups.positions.get(key, "")

    markets, unknown = lookups.countries_in(cells.get("markets_sought", ""))
    if unknown:
        problems.append(
            _(
                "Unknown market %(markets)s: use ISO country codes such as “SE” or English names "
                "such as “Sweden”, separated by “;”."
            )
            % {"markets": _quoted(c.strip() for c in unknown)}
        )
    values["markets_sought"] = list(dict.fromkeys(markets))

    for column in ("seeks", "offers"):
        codes = [c.lower() for c in _codes(cells.get(column, ""))]
        unknown = [c for c in codes if c not in lookups.needs]
        if unknown:
            if column == "seeks":
                text = _("Unknown seeks %(codes)s: use %(choices)s.")
            else:
                text = _("Unknown offers %(codes)s: use %(choices)s.")
            problems.append(text % {"codes": _quoted(unknown), "choices": ", ".join(lookups.needs)})
        values[column] = [lookups.needs[c] for c in dict.fromkeys(codes) if c in lookups.needs]

    email = cells.get("contact_email", "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            problems.append(
                _("The contact email “%(email)s” is not an email address.") % {"email": email}
            )
    values["contact_email"] = email

    website = cells.get("website", "").strip()
    if website and "://" not in website:
        website = f"https://{website}"
    if website:
        try:
            URLValidator()(website)
        except ValidationError:
            problems.append(
                _("The website “%(website)s” is not a web address.")
                % {"website": cells["website"].strip()}
            )
    values["website"] = website

    for column in (
        "products_services",
        "products_sought",
        "contact_name",
        "contact_phone",
        "description",
    ):
        values[column] = cells.get(column, "").strip()
    return values, problems


# --- The file ---------------------------------------------------------------------------------


def parse_business_csv(file) -> ParsedFile:
    """Read the whole file and judge each row; raises DomainError for a file that cannot be
    read at all (nothing is imported then)."""
    data = _read_bytes(file)
    lines, bad_lines = _decoded_lines(data)
    if not lines or not "".join(lines).strip():
        raise DomainError(_("The file is empty: the first row must name the columns."))
    if 1 in bad_lines:
        raise DomainError(
            _(
                "The file is not UTF-8 text: in your spreadsheet, save it as “CSV UTF-8” and try "
                "again."
            )
        )
    reader = csv.reader(lines, delimiter=_dialect(lines[0]))
    try:
        columns, warnings = _header(next(reader))
        records: list[tuple[int, int, list[str]]] = []
        first = reader.line_num + 1
        for cells in reader:
            records.append((first, reader.line_num, cells))
            first = reader.line_num + 1
            if len(records) > MAX_ROWS:
                raise DomainError(
                    _("The file has more than %(rows)s rows: split it into several files.")
                    % {"rows": number_format(MAX_ROWS, force_grouping=True)}
                )
    except csv.Error as exc:
        raise DomainError(
            _("The file cannot be read as CSV (line %(line_num)s): %(exc)s.")
            % {"line_num": reader.line_num, "exc": exc}
        ) from exc
    if not any(any(c.strip() for c in cells) for _first, _last, cells in records) and not bad_lines:
        # Said as the cities' import says it, not reported as a successful import of nothing.
        raise DomainError(_("The file has a header row but no businesses."))
    if bad_lines:
        warnings.append(
            _(
                "Some lines are not UTF-8 text and were refused: in your spreadsheet, save the "
                "file as “CSV UTF-8” and import those rows again."
            )
        )
    lookups = _Lookups()
    rows = []
    for first, last, cells in records:
        row = RowResult(line=first)
        rows.append(row)
        if not any(c.strip() for c in cells):
            row.refuse(RowStatus.SKIPPED, _("Empty line."))
            continue
        name_at = columns.index("name")
        row.name = normalise_name(cells[name_at] if name_at < len(cells) else "")
        spoilt = sorted(n for n in range(first, last + 1) if n in bad_lines)
        if spoilt:
            row.refuse(
                RowStatus.REFUSED,
                _(
                    "This row is not UTF-8 text (it has characters the file's encoding garbled): "
                    "save the file as “CSV UTF-8”."
                ),
            )
            continue
        # Values beyond the named columns (or under a column with no name) have nowhere to go.
        extra = cells[len(columns) :] + [
            c for c, column in zip(cells, columns, strict=False) if not column
        ]
        if any(c.strip() for c in extra):
            row.refuse(
                RowStatus.REFUSED,
                ngettext(
                    "This row has %(values)s value but the first row names %(columns)s "
                    "columns: remove the extra values (or name their column).",
                    "This row has %(values)s values but the first row names %(columns)s "
                    "columns: remove the extra values (or name their column).",
                    len(cells),
                )
                % {"values": len(cells), "columns": len(columns)},
            )
            continue
        known = {
            column: cells[i] if i < len(cells) else "" for i, column in enumerate(columns) if column
        }
        values, problems = _values(known, lookups)
        if problems:
            row.refuse(RowStatus.REFUSED, " ".join(problems))
            continue
        row.values = values
    return ParsedFile(rows=rows, warnings=warnings)
