"""A partnership's relationship strength may be empty: "not assessed yet" (issue 19).

Until now every partnership started at 0 ("none, by choice"), so a stored 0 means either that
someone assessed it as none or that nobody ever assessed it. The rule for existing rows, read
from django-simple-history's records (HistoricalPartnership):

- a partnership at 0 none of whose history records holds another value was never assessed: its
  strength becomes empty (NULL);
- a partnership at 0 whose history shows another value at some point was assessed (someone set
  it back to 0): it keeps 0;
- any other value is kept.

A 0 chosen on purpose when the partnership was created, and never changed since, cannot be
told from the old default; it becomes "not assessed yet", which an officer corrects in one
step. The history itself is left as it was recorded. Backwards, an empty strength becomes 0
again (the old default).
"""

import django.core.validators
from django.conf import settings
from django.db import migrations, models


def unassessed_zeros_to_null(apps, schema_editor):
    Partnership = apps.get_model("partnerships", "Partnership")
    HistoricalPartnership = apps.get_model("partnerships", "HistoricalPartnership")
    assessed = (
        HistoricalPartnership.objects.exclude(relationship_strength=0)
        .exclude(relationship_strength__isnull=True)
        .values("id")
    )
    Partnership.objects.filter(relationship_strength=0).exclude(pk__in=assessed).update(
        relationship_strength=None
    )


def null_to_zero(apps, schema_editor):
    Partnership = apps.get_model("partnerships", "Partnership")
    Partnership.objects.filter(relationship_strength__isnull=True).update(relationship_strength=0)


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0016_held_upload"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="partnership",
            name="partnership_strength_0_10",
        ),
        migrations.AlterField(
            model_name="historicalpartnership",
            name="relationship_strength",
            field=models.PositiveSmallIntegerField(
                blank=True,
                default=None,
                help_text=(
                    "Lendrum's scale: 0 none, 1–4 vendor, 5–7 supplier, 8–10 partner; "
                    "empty: not assessed yet."
                ),
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(10),
                ],
                verbose_name="relationship strength",
            ),
        ),
        migrations.AlterField(
            model_name="partnership",
            name="relationship_strength",
            field=models.PositiveSmallIntegerField(
                blank=True,
                default=None,
                help_text=(
                    "Lendrum's scale: 0 none, 1–4 vendor, 5–7 supplier, 8–10 partner; "
                    "empty: not assessed yet."
                ),
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(10),
                ],
                verbose_name="relationship strength",
            ),
        ),
        migrations.AddConstraint(
            model_name="partnership",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("relationship_strength__isnull", True),
                    ("relationship_strength__lte", 10),
                    _connector="OR",
                ),
                name="partnership_strength_0_10",
            ),
        ),
        migrations.RunPython(unassessed_zeros_to_null, null_to_zero),
    ]
