"""Migration 0015: every existing criterion gets the measure the old keyword guess gave it.

Run through the migration executor on historical models: the rows are written as the schema
stood at 0014 (no measure), then migrated forward; every row is kept.
"""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("partnerships", "0014_saved_views")]
AFTER = [("partnerships", "0015_criterion_measure")]

# (criterion name, the measure the names' keywords gave it)
NAMES = [
    ("Complementary economy", "complementary_sectors"),
    ("Similar size and challenges", "size"),
    ("Population", "size"),
    ("Existing community ties", "ties"),
    ("Shared port and logistics interests", "shared_sectors"),
    ("Experience in our areas of cooperation", "areas"),
    ("North–South development aid", "north_south"),
    ("Commitment of leadership", "judgement"),
    ("Support of the council", "judgement"),  # "port" only as a whole word
    ("Direct flights", "judgement"),
]


@pytest.mark.parametrize(("name", "measure"), NAMES)
def test_the_frozen_rules_guess_as_the_names_did(name, measure):
    migration = importlib.import_module("partnerships.migrations.0015_criterion_measure")
    assert migration.guessed_measure(name) == measure


@pytest.mark.django_db(transaction=True)
def test_existing_criteria_get_the_measure_their_names_gave_them():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        Partner = old.get_model("partnerships", "Partner")
        Strategy = old.get_model("partnerships", "TwinningStrategy")
        Criterion = old.get_model("partnerships", "StrategyCriterion")
        city = Partner.objects.create(name="Buffalo City", country="ZA")
        strategies = [
            Strategy.objects.create(partner=city, version=v, vision="v", goals="g") for v in (1, 2)
        ]
        for strategy in strategies:
            for weight, (name, _measure) in enumerate(NAMES, start=1):
                Criterion.objects.create(strategy=strategy, name=name, weight=weight)
        before = sorted(Criterion.objects.values_list("pk", "strategy_id", "name", "weight"))

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
    finally:
        # Every app back at its head (migrating back unapplied those that depend on it too).
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    new = MigrationExecutor(connection).loader.project_state(AFTER).apps
    Criterion = new.get_model("partnerships", "StrategyCriterion")
    rows = Criterion.objects.values_list("pk", "strategy_id", "name", "weight", "measure")
    assert sorted(row[:4] for row in rows) == before  # every row kept, unchanged
    expected = dict(NAMES)
    assert {(name, measure) for *_, name, _weight, measure in rows} == set(expected.items())
    assert len(rows) == 2 * len(NAMES)
