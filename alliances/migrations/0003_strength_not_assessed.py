"""A sub-alliance's relationship strength may be empty: "not assessed yet" (issue 19).

Sub-alliances were formed at 0 ("none, by choice") unless the officer chose otherwise, so a
stored 0 means either an assessment of none or no assessment. The rule for existing rows, read
from their own strength history (StrengthRecord, written on forming and on every change):

- a sub-alliance at 0 none of whose records holds another value was never assessed: its
  strength becomes empty (NULL);
- a sub-alliance at 0 whose records show another value at some point was assessed: it keeps 0;
- any other value is kept.

The records themselves are kept as they were written (a never-assessed sub-alliance keeps its
formation record at 0). Backwards, an empty strength becomes 0 again (the old default).
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models


def unassessed_zeros_to_null(apps, schema_editor):
    SubAlliance = apps.get_model("alliances", "SubAlliance")
    StrengthRecord = apps.get_model("alliances", "StrengthRecord")
    assessed = StrengthRecord.objects.exclude(strength=0).values("sub_alliance_id")
    SubAlliance.objects.filter(strength=0).exclude(pk__in=assessed).update(strength=None)


def null_to_zero(apps, schema_editor):
    SubAlliance = apps.get_model("alliances", "SubAlliance")
    SubAlliance.objects.filter(strength__isnull=True).update(strength=0)


class Migration(migrations.Migration):
    dependencies = [
        ("alliances", "0002_verbose_names"),
        ("partnerships", "0017_strength_not_assessed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="suballiance",
            name="suballiance_strength_0_10",
        ),
        migrations.AlterField(
            model_name="strengthrecord",
            name="previous",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="Empty when it had not been assessed before.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(10),
                ],
                verbose_name="previous",
            ),
        ),
        migrations.AlterField(
            model_name="suballiance",
            name="strength",
            field=models.PositiveSmallIntegerField(
                blank=True,
                default=None,
                help_text="Lendrum's scale: 0 none, 1–4 vendor, 5–7 supplier, 8–10 partner; empty: not assessed yet.",
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(10),
                ],
                verbose_name="relationship strength",
            ),
        ),
        migrations.AddConstraint(
            model_name="suballiance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("strength__isnull", True),
                    models.Q(("strength__gte", 0), ("strength__lte", 10)),
                    _connector="OR",
                ),
                name="suballiance_strength_0_10",
                violation_error_message="Relationship strength runs from 0 to 10.",
            ),
        ),
        migrations.RunPython(unassessed_zeros_to_null, null_to_zero),
    ]
