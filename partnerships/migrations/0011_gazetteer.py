from django.db import migrations, models


def match_cities(apps, schema_editor):
    """Give the existing cities their GeoNames id (partnerships.matching); rows are only
    updated, never removed. Those without a match are listed (manage.py match_cities re-runs
    this with the same report)."""
    from partnerships.matching import match_partners

    report = match_partners(apps.get_model("partnerships", "Partner"))
    if report.matched or report.unmatched:
        print()
        for line in report.lines():
            print(f"  {line}")


class Migration(migrations.Migration):

    dependencies = [
        ("partnerships", "0010_publication_choices"),
    ]

    operations = [
        migrations.AddField(
            model_name="partner",
            name="geonameid",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="The city's place in the GeoNames gazetteer (geonames.org/<id>).",
                null=True,
                unique=True,
                verbose_name="GeoNames id",
            ),
        ),
        migrations.RunPython(match_cities, migrations.RunPython.noop, elidable=True),
    ]
