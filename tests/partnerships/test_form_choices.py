"""partnerships.forms.choices: model-choice options read while the form is built (one query per
select), none while it renders, and validation still asking the database."""

import pytest

from businesses.forms import RegistryFilterForm
from partnerships.forms.cities import CityFilter
from partnerships.forms.partnerships import ChampionForm
from tests.factories.partnerships import (
    CooperationAreaFactory,
    PartnerFactory,
    PartnershipFactory,
    PartnershipMemberFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db


def test_options_are_read_once_when_built_and_never_while_rendering(django_assert_num_queries):
    areas = CooperationAreaFactory.create_batch(3)
    with django_assert_num_queries(1):
        form = RegistryFilterForm()
    with django_assert_num_queries(0):
        html = form.as_p()
        options = list(form.fields["area"].choices)
    assert all(f'value="{a.pk}"' in html for a in areas)
    labels = [label for _, label in options]
    assert labels[0] == "Any area"
    assert {a.name for a in areas} <= set(labels)


def test_validation_still_asks_the_database():
    kept, gone = CooperationAreaFactory.create_batch(2)
    form = RegistryFilterForm({"area": str(gone.pk)})
    gone.delete()  # after the options were read
    assert not form.is_valid()
    assert "area" in form.errors
    valid = RegistryFilterForm({"area": str(kept.pk)})
    assert valid.is_valid()
    assert valid.cleaned_data["area"] == kept


def test_a_queryset_narrowed_in_the_forms_own_init_is_the_one_read(django_assert_num_queries):
    partnership = PartnershipFactory()
    away = PartnershipMemberFactory(partnership=partnership).partner
    outsider = PartnerFactory()
    with django_assert_num_queries(1):
        form = ChampionForm(partnership=partnership)
    with django_assert_num_queries(0):
        html = form.as_p()
    assert f'value="{away.pk}"' in html
    assert f'value="{outsider.pk}"' not in html
    # empty_label set after the queryset (in the same __init__) is honoured: no "---------".
    assert "---------" not in html


def test_a_filtersets_form_reads_its_options_too(django_assert_num_queries):
    sector = SectorFactory()
    filters = CityFilter({})
    filters.qs  # noqa: B018 — validates the form, as the view does
    with django_assert_num_queries(0):
        html = filters.form.as_p()
    assert f'value="{sector.pk}"' in html
