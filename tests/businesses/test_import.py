"""Importing member businesses from a CSV file: good rows saved, every other row reported with
its reason, nothing silently dropped, the same business never created twice."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from businesses import imports, services
from businesses.models import BusinessProfile
from core.errors import DomainError
from tests.factories.businesses import (
    BusinessAssociationFactory,
    BusinessProfileFactory,
    chamber_staff,
)

pytestmark = pytest.mark.django_db

HEADER = (
    "Name,Sectors,Size band,products_services,export_readiness,seeks,offers,contact_email,Notes\n"
)
MIXED = (
    b"\xef\xbb\xbf"  # the BOM spreadsheets put in front of "CSV UTF-8"
    + HEADER.encode()
    + b"Sundays River Citrus,A;C,medium,Citrus,exporting,buyers,suppliers,s@src.example.org,\n"
    + b"Karoo Lamb,Z,small,,,,,,\n"
    + b",C,small,,,,,,\n"
    + b"ALGOA LOGISTICS,H,large,,,,,,\n"
    + b"sundays river citrus,A,small,,,,,,\n"
    + b"Bay Engineering,C,huge,,,,,,\n"
    + b"\n"
    + b"Coega Components,C,small,,,,,,,surplus\n"
    + "Café Olé,I,micro,,,,,,\n".encode("latin-1")
    + b'"Nelson Mandela Bay Tours",I R,micro,"Township tours\nand safaris",'
    + b"ready,tourism,tourism,,\n"
    + b"Kariega Parts,C,small,Brake discs,Exploring,suppliers,,,first order in May\n"
    + b"Uitenhage Wheels,C,small,,,clients,,,\n"
)

EXPECTED = [
    (2, "created", "Created."),
    (3, "refused", "Unknown sector code “Z”: use ISIC section letters A–U, e.g. “C” or “A;C”."),
    (4, "refused", "The name is missing."),
    (5, "exists", "Already registered in this city: left unchanged."),
    (6, "duplicate", "Same business as line 2: not imported twice."),
    (7, "refused", "The size band is “huge”: use one of micro, small, medium, large."),
    (8, "skipped", "Empty line."),
    (
        9,
        "refused",
        "This row has 10 values but the first row names 9 columns: remove the extra values "
        "(or name their column).",
    ),
    (
        10,
        "refused",
        "This row is not UTF-8 text (it has characters the file's encoding garbled): save the "
        "file as “CSV UTF-8”.",
    ),
    (11, "created", "Created."),  # its quoted products cell runs over two lines
    (13, "created", "Created."),
    (
        14,
        "refused",
        "Unknown seeks “clients”: use buyers, suppliers, investment, technology, students, "
        "tourism.",
    ),
]


@pytest.fixture
def chamber(world):
    association = BusinessAssociationFactory(organisation__partner=world.home)
    BusinessProfileFactory(association=association, organisation__name="Algoa Logistics")
    return association


def run(chamber, data: bytes, user=None):
    upload = SimpleUploadedFile("members.csv", data, content_type="text/csv")
    return services.businesses_import_csv(
        file=upload, association=chamber, user=user or chamber_staff(chamber)
    )


def test_a_file_mixing_good_and_bad_rows_reports_every_row(chamber, world):
    report = run(chamber, MIXED)

    assert [r.as_tuple() for r in report.rows] == EXPECTED
    assert report.warnings == [
        "The column “Notes” is not known and was ignored.",
        "Some lines are not UTF-8 text and were refused: in your spreadsheet, save the file as "
        "“CSV UTF-8” and import those rows again.",
    ]
    assert report.summary == (
        "3 created; 1 already registered; 1 repeated in the file; 6 refused; 1 empty line skipped"
    )
    names = sorted(BusinessProfile.objects.values_list("organisation__name", flat=True))
    assert names == [
        "Algoa Logistics",
        "Kariega Parts",
        "Nelson Mandela Bay Tours",
        "Sundays River Citrus",
    ]
    citrus = BusinessProfile.objects.get(organisation__name="Sundays River Citrus")
    assert citrus.organisation.partner == world.home
    assert citrus.size_band == "medium" and citrus.export_readiness == "exporting"
    assert sorted(citrus.organisation.sectors.values_list("code", flat=True)) == ["A", "C"]
    assert list(citrus.seeks.values_list("code", flat=True)) == ["buyers"]
    assert list(citrus.offers.values_list("code", flat=True)) == ["suppliers"]
    assert citrus.contact_email == "s@src.example.org"
    tours = BusinessProfile.objects.get(organisation__name="Nelson Mandela Bay Tours")
    assert tours.products_services == "Township tours\nand safaris"
    assert sorted(tours.organisation.sectors.values_list("code", flat=True)) == ["I", "R"]
    parts = BusinessProfile.objects.get(organisation__name="Kariega Parts")
    assert parts.export_readiness == "exploring"
    assert report.rows[0].business_id == citrus.pk


def test_importing_the_same_file_again_creates_nothing(chamber):
    run(chamber, MIXED)
    report = run(chamber, MIXED)
    assert report.count(imports.RowStatus.CREATED) == 0
    assert [r.line for r in report.rows if r.status == "exists"] == [2, 5, 6, 11, 13]
    assert BusinessProfile.objects.count() == 4


def test_a_row_the_model_refuses_does_not_block_the_next(chamber):
    data = (
        "name,sectors,size_band,contact_phone\n"
        "Too Long Phone Ltd,C,small," + "0" * 45 + "\n"
        "Next Row Ltd,C,small,041 000 0000\n"
    ).encode()
    report = run(chamber, data)
    assert [r.as_tuple() for r in report.rows] == [
        (2, "refused", "Contact phone: Ensure this value has at most 40 characters (it has 45)."),
        (3, "created", "Created."),
    ]


def test_a_row_with_a_control_character_is_refused_like_the_form_refuses_it(chamber):
    """Found from outside: a NUL and an escape sequence in names were imported (on SQLite;
    PostgreSQL refuses a NUL outright), which the profile form then refused to save again."""
    data = (
        b"name,sectors,size_band,products_services\n"
        b"Nul\x00Probe Co,C,small,citrus\n"
        b"Ctrl\x1b[31mProbe Co,C,small,citrus\n"
        b'Clean Co,C,small,"Citrus\tand\nlemons"\n'
    )
    report = run(chamber, data)
    assert [(r.line, r.status) for r in report.rows] == [
        (2, "refused"),
        (3, "refused"),
        (4, "created"),
    ]
    assert "U+0000" in report.rows[0].message and "“name”" in report.rows[0].message
    assert "U+001B" in report.rows[1].message
    assert not BusinessProfile.objects.filter(organisation__name__contains="Probe").exists()


def test_semicolons_and_tabs_separate_columns_too(chamber):
    report = run(chamber, b"name;sectors;size_band\nSemi Colon Ltd;C,G;micro\n")
    assert [r.as_tuple() for r in report.rows] == [(2, "created", "Created.")]
    report = run(chamber, b"name\tsectors\tsize_band\nTab Ltd\tC\tsmall\n")
    assert [r.as_tuple() for r in report.rows] == [(2, "created", "Created.")]


def test_a_header_without_the_required_columns_is_refused_with_a_clear_error(chamber):
    with pytest.raises(DomainError) as refused:
        run(chamber, b"company,sector\nAcme,C\n")
    assert refused.value.message == (
        "The first row must name the columns; missing: size_band. Required: name, sectors, "
        "size_band; optional: products_services, products_sought, chain_position, "
        "markets_sought, export_readiness, seeks, offers, contact_name, contact_email, "
        "contact_phone, website, description."
    )
    assert BusinessProfile.objects.count() == 1  # only the fixture's


def test_a_column_named_twice_is_refused(chamber):
    with pytest.raises(DomainError, match="appear twice in the first row: name"):
        run(chamber, b"name,sectors,size_band,Name\nAcme,C,small,Acme\n")


@pytest.mark.parametrize("data", [b"", b"\n\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_refused(chamber, data):
    with pytest.raises(DomainError, match="The file is empty"):
        run(chamber, data)


@pytest.mark.parametrize("data", [b"name,sectors,size_band\n", b"name,sectors,size_band\n,,\n\n"])
def test_a_header_with_no_businesses_is_refused_not_called_a_success(chamber, data):
    with pytest.raises(DomainError, match="a header row but no businesses"):
        run(chamber, data)


def test_a_file_that_is_not_utf8_at_all_is_refused(chamber):
    with pytest.raises(DomainError, match="save it as “CSV UTF-8”"):
        run(chamber, "nàme,sectors,size_band\n".encode("latin-1"))


def test_too_many_rows_are_refused_before_anything_is_saved(chamber, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    rows = "".join(f"Firm {i},C,small\n" for i in range(4))
    with pytest.raises(DomainError, match="more than 3 rows"):
        run(chamber, ("name,sectors,size_band\n" + rows).encode())
    assert BusinessProfile.objects.count() == 1


def test_a_file_larger_than_the_limit_is_refused(chamber, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    with pytest.raises(DomainError, match="larger than"):
        run(chamber, b"name,sectors,size_band\n" + b"Firm,C,small\n" * 10)


def test_only_the_associations_staff_may_import(chamber):
    with pytest.raises(DomainError, match="Only approved staff"):
        run(chamber, b"name,sectors,size_band\nAcme,C,small\n", user=chamber_staff())


def test_a_text_stream_is_read_too(chamber):
    report = services.businesses_import_csv(
        file=io.StringIO("name,sectors,size_band\nStream Ltd,C,small\n"),
        association=chamber,
        user=None,
    )
    assert report.rows[0].as_tuple() == (2, "created", "Created.")


def test_trailing_empty_cells_are_tolerated_and_websites_get_a_scheme(chamber):
    report = run(chamber, b"name,sectors,size_band,website,,\nWeb Ltd,C,small,web.example.org,,\n")
    assert report.rows[0].as_tuple() == (2, "created", "Created.")
    assert BusinessProfile.objects.get(organisation__name="Web Ltd").organisation.website == (
        "https://web.example.org"
    )


def test_a_batch_the_database_refuses_is_saved_row_by_row(chamber, world):
    """The fallback of the batched save: a business registered by someone else after the file
    was checked (here: written straight away) refuses only its own row."""
    from businesses.services.directory import _import_batch, _new_business

    batch = []
    for line, name in enumerate(["Fresh Firm", "Algoa Logistics", "Another Fresh Firm"], start=2):
        row = imports.RowResult(line=line, name=name)
        business = _new_business(
            association=chamber, user=None, name=name, size_band="small", sectors=[], seeks=[]
        )
        business.validate(trusted=True)
        batch.append((row, business))
    _import_batch(batch)
    assert [r.as_tuple() for r, _ in batch] == [
        (2, "created", "Created."),
        (3, "exists", "Already registered in this city (saved meanwhile): left unchanged."),
        (4, "created", "Created."),
    ]
    assert BusinessProfile.objects.filter(organisation__name__endswith="Fresh Firm").count() == 2


# --- What the business seeks: products, its place in the value chain, export markets ----------

POSITIONS = "primary, processing, distribution, retail, services"


def profile(name: str) -> BusinessProfile:
    return BusinessProfile.objects.get(organisation__name=name)


def test_what_a_business_seeks_is_imported(chamber):
    data = (
        b"name,sectors,size_band,products_sought,chain_position,markets_sought\n"
        b"Seeker One,C,small,Cartons and pallets,processing,SE;de|GB\n"
        b'Seeker Two,C,small,,"  Wholesale, distribution and LOGISTICS ","south africa; Sweden"\n'
        b"Seeker Three,C,small,,RETAIL,se DE\n"
        b'Seeker Four,C,small,,,"Bonaire, Sint Eustatius and Saba, Kenya; Russian Federation"\n'
        b"Seeker Five,C,small,,,se;SE;Sweden\n"
    )
    report = run(chamber, data)
    assert [r.as_tuple() for r in report.rows] == [(n, "created", "Created.") for n in range(2, 7)]
    one = profile("Seeker One")
    assert one.products_sought == "Cartons and pallets"
    assert one.chain_position == "processing"
    assert [c.code for c in one.markets_sought] == ["DE", "GB", "SE"]  # the field keeps them sorted
    two = profile("Seeker Two")
    assert two.chain_position == "distribution"  # the label, whatever its case and spaces
    assert [c.code for c in two.markets_sought] == ["SE", "ZA"]
    three = profile("Seeker Three")
    assert three.chain_position == "retail"
    assert [c.code for c in three.markets_sought] == ["DE", "SE"]
    assert [c.code for c in profile("Seeker Four").markets_sought] == ["BQ", "KE", "RU"]
    assert [c.code for c in profile("Seeker Five").markets_sought] == ["SE"]  # once


def test_the_new_columns_are_optional_and_may_be_empty(chamber):
    data = b"name,sectors,size_band,chain_position,markets_sought\nBare Ltd,C,small,,\n"
    report = run(chamber, data)
    assert report.rows[0].as_tuple() == (2, "created", "Created.")
    bare = profile("Bare Ltd")
    assert bare.products_sought == "" and bare.chain_position == "" and not bare.markets_sought


@pytest.mark.parametrize(
    ("position", "markets", "message"),
    [
        ("wholesale", "", f"The chain position “wholesale” is not one of {POSITIONS} (or empty)."),
        (
            "",
            "SE;XX",
            "Unknown market “XX”: use ISO country codes such as “SE” or English names such as "
            "“Sweden”, separated by “;”.",
        ),
        ("", "Narnia", "Unknown market “Narnia”"),
        ("", "SE;Narnia;Atlantis", "Unknown market “Narnia”, “Atlantis”"),
        ("", "SE DE Narnia", "Unknown market “SE DE Narnia”"),
        ("", "SWE", "Unknown market “SWE”"),  # alpha-3 codes are not taken
        (
            "middle",
            "Mordor",
            f"The chain position “middle” is not one of {POSITIONS} (or empty). "
            "Unknown market “Mordor”",
        ),
    ],
)
def test_a_bad_chain_position_or_market_refuses_the_row_only(chamber, position, markets, message):
    data = (
        "name,sectors,size_band,chain_position,markets_sought\n"
        f'Bad Row Ltd,C,small,{position},"{markets}"\n'
        "Good Row Ltd,C,small,primary,FR\n"
    ).encode()
    report = run(chamber, data)
    assert report.rows[0].status == "refused"
    assert report.rows[0].message.startswith(message)
    assert report.rows[1].as_tuple() == (3, "created", "Created.")
    assert not BusinessProfile.objects.filter(organisation__name="Bad Row Ltd").exists()
    assert profile("Good Row Ltd").chain_position == "primary"


@pytest.mark.parametrize(
    ("products", "position", "markets"),
    [
        ("Products and services sought", "Position in the value chain", "Export markets sought"),
        ("seeks_products", "value-chain position", "Markets"),
        ("PRODUCTS-SOUGHT", "Chain Position", "markets sought"),
    ],
)
def test_the_new_columns_answer_to_other_spellings(chamber, products, position, markets):
    data = (
        f"name,sectors,size_band,{products},{position},{markets}\n"
        "Alias Ltd,C,small,Steel,Services,KE\n"
    )
    report = run(chamber, data.encode())
    assert report.rows[0].as_tuple() == (2, "created", "Created.")
    assert report.warnings == []
    alias = profile("Alias Ltd")
    assert alias.products_sought == "Steel" and alias.chain_position == "services"
    assert [c.code for c in alias.markets_sought] == ["KE"]


def test_the_import_asks_as_many_queries_for_many_rows_as_for_few(chamber):
    def queries(first: int, rows: int) -> int:
        data = "name,sectors,size_band,chain_position,markets_sought,seeks\n" + "".join(
            f"Firm {i},C,small,retail,SE;Kenya,buyers\n" for i in range(first, first + rows)
        )
        user = chamber_staff(chamber)
        with CaptureQueriesContext(connection) as captured:
            report = run(chamber, data.encode(), user=user)
        assert report.count(imports.RowStatus.CREATED) == rows
        return len(captured)

    assert queries(0, 2) == queries(100, 30)


def test_the_import_form_tells_a_file_one_byte_over_the_limit_its_real_size():
    # Issue 19: the size said truly at the boundary (not "larger than 5 MB").
    from django.core.files.uploadedfile import SimpleUploadedFile

    from businesses.forms import ImportForm

    upload = SimpleUploadedFile("firms.csv", b"x" * (imports.MAX_BYTES + 1), "text/csv")
    form = ImportForm(data={}, files={"file": upload})
    assert not form.is_valid()
    assert form.errors["file"] == [
        "The file is 5.0 MB (5,242,881 bytes); the limit is 5 MB (5,242,880 bytes). "
        "Split it into several."
    ]
