"""Each strategy criterion says what it measures (issue 19, step 2).

Until now the suggestions guessed it from the criterion's name. Existing criteria get exactly
what that guess gave them, "judgement" where no keyword matched, so every strategy ranks as it
did; officers can then correct the measure. The rules are frozen here (not imported): the
app's code no longer guesses.
"""

import re

from django.db import migrations, models

# The keyword rules of partnerships/suggestions.py before this migration, in their order
# (the first hit wins; whole words, case-insensitive).
KEYWORDS = [
    ("complementary_sectors", re.compile(r"\bcomplement(ary|arity|s)?\b", re.I)),
    ("size", re.compile(r"\b(size|population|scale|similar)\b", re.I)),
    (
        "ties",
        re.compile(r"\b(ties|tie|links?|connections?|diaspora|friendship|relationships?)\b", re.I),
    ),
    ("areas", re.compile(r"\b(areas?|cooperation|experience|track record)\b", re.I)),
    ("north_south", re.compile(r"\b(north|south|development aid|donors?)\b", re.I)),
    (
        "shared_sectors",
        re.compile(
            r"\b(sectors?|economy|economic|industry|industries|business|trade|port|logistics)\b",
            re.I,
        ),
    ),
]
NO_MATCH = "judgement"

MEASURES = [
    ("size", "Similar size (population)"),
    ("shared_sectors", "Sectors in common"),
    ("complementary_sectors", "Complementary sectors"),
    ("areas", "Experience in the partnership's areas of cooperation"),
    ("ties", "Existing ties with cities of our country"),
    ("north_south", "Other side of the North/South divide"),
    ("distance", "Nearness (distance between the cities)"),
    ("language", "A language in common"),
    ("judgement", "Judgement, scored by hand"),
]


def guessed_measure(name: str) -> str:
    for measure, pattern in KEYWORDS:
        if pattern.search(name or ""):
            return measure
    return NO_MATCH


def fill_measures(apps, schema_editor):
    """Every row keeps its place; only `measure` is set, one UPDATE per measure found."""
    StrategyCriterion = apps.get_model("partnerships", "StrategyCriterion")
    by_measure: dict[str, list[int]] = {}
    for pk, name in StrategyCriterion.objects.values_list("pk", "name").iterator():
        by_measure.setdefault(guessed_measure(name), []).append(pk)
    for measure, pks in by_measure.items():
        StrategyCriterion.objects.filter(pk__in=pks).update(measure=measure)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0014_saved_views"),
    ]

    operations = [
        migrations.AddField(
            model_name="strategycriterion",
            name="measure",
            field=models.CharField(
                choices=MEASURES,
                default=NO_MATCH,
                help_text=(
                    "What the portal's suggestions score for this criterion in step 2. Choose "
                    "“Judgement” for what only people can weigh (commitment, trust): it is "
                    "scored by hand in step 4 only."
                ),
                max_length=24,
                verbose_name="what it measures",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_measures, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="strategycriterion",
            constraint=models.CheckConstraint(
                condition=models.Q(measure__in=[code for code, _label in MEASURES]),
                name="criterion_measure_known",
            ),
        ),
    ]
