"""The demo's data files: every code goes through the real choices, and a mistake fails loudly
with the file, the record and the field named, before anything is written."""

import shutil
from io import StringIO

import pytest
from django.core.management import call_command

from demo import dataset
from demo.dataset import DatasetError
from partnerships.models import Activity, Partner, Partnership, Step


@pytest.fixture
def data_dir(tmp_path):
    """A copy of demo/data to spoil; `spoil(file, old, new)` replaces the first `old`."""
    directory = tmp_path / "data"
    shutil.copytree(dataset.DATA_DIR, directory)

    def spoil(name: str, old: str, new: str):
        path = directory / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return directory

    return spoil


def test_the_shipped_files_read_into_the_models_choices():
    data = dataset.read(dataset.DATA_DIR)

    assert len(data.partnerships) == 38
    first = data.partnerships[0]
    assert first["category"] is Partnership.Category.MIC
    assert first["step"] is Step.IMPLEMENTATION
    assert first["established"].isoformat() == "2011-05-12"
    assert all(isinstance(kind, Activity.Kind) for kind, _ in data.activity_templates)
    # 'NO' stays Norway's code (bare NO would be YAML for false).
    assert data.city["Gjøvik"]["country"] == "NO"
    assert data.twinned_pair == ("Buffalo City", "Gävle")


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "partnerships.yaml",
            "category: mic",
            "category: micc",
            ["partnerships #1 ('Buffalo City – Gävle partnership')", "'category'", "Category"],
        ),
        (
            "partnerships.yaml",
            "step: 7",
            "step: 9",
            ["partnerships #1 ('Buffalo City – Gävle partnership')", "'step'", "9"],
        ),
        (
            "partnerships.yaml",
            "candidates: [Gävle, Gothenburg]",
            "candidates: [Gävle, Gotenburg]",
            ["'Buffalo City – Gävle partnership'", "'candidates'", "'Gotenburg'"],
        ),
        (
            "partnerships.yaml",
            "areas: [environment, capacity",
            "areas: [environs, capacity",
            ["'Buffalo City – Gävle partnership'", "'areas'", "'environs'"],
        ),
        ("cities.yaml", "kind: metro", "kind: metropolis", ["'Buffalo City'", "'kind'", "Kind"]),
        ("cities.yaml", "sectors: [C, H, P]", "sectors: [C, H, Z]", ["'Buffalo City'", "'Z'"]),
        ("cities.yaml", "country: 'NO'", "country: NO", ["'country'", "put the code in quotes"]),
        ("cities.yaml", "country: ZA", "country: ZZ", ["'Buffalo City'", "'ZZ'", "ISO 3166"]),
        ("cities.yaml", "geonameid: 1006984", "geonameid: x", ["'Buffalo City'", "'geonameid'"]),
        # Cape Town given Buffalo City's place: one city per place.
        ("cities.yaml", "geonameid: 3369157", "geonameid: 1006984", ["geonameid", "1006984"]),
        ("users.yaml", "role: officer", "role: mayor", ["'bc_officer'", "'role'", "'mayor'"]),
        (
            "templates.yaml",
            "kind: exchange_visit",
            "kind: exchange_vist",
            ["templates.yaml", "activities #1", "'kind'", "Activity.Kind"],
        ),
        (
            "phrases.yaml",
            "channel: email",
            "channel: e-mail",
            ["phrases.yaml", "contact_channels #1", "ApproachContact.Channel"],
        ),
        ("phrases.yaml", "step: 7", "step: 0", ["phrases.yaml", "lessons #1", "'step'"]),
        (
            "chambers.yaml",
            "size: medium",
            "size: huge",
            ["chambers.yaml", "'Amathole Citrus Packers'", "'size'", "SizeBand"],
        ),
        (
            "chambers.yaml",
            "timeframe: '0_6'",
            "timeframe: 0_6",
            ["chambers.yaml", "registrations #1", "'timeframe'", "Timeframe"],
        ),
    ],
)
def test_a_bad_code_names_the_file_the_record_and_the_field(data_dir, name, old, new, expected):
    directory = data_dir(name, old, new)

    with pytest.raises(DatasetError) as error:
        dataset.read(directory)

    message = str(error.value)
    assert name in message
    for fragment in expected:
        assert fragment in message


@pytest.mark.django_db
def test_load_demo_stops_at_a_bad_file_before_writing_anything(data_dir, monkeypatch):
    monkeypatch.setattr(dataset, "DATA_DIR", data_dir("partnerships.yaml", "step: 7", "step: 9"))
    dataset.get.cache_clear()
    try:
        with pytest.raises(DatasetError, match=r"partnerships\.yaml"):
            call_command("load_demo", stdout=StringIO())
    finally:
        dataset.get.cache_clear()

    assert not Partner.objects.exists()
