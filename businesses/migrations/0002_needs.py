from django.db import migrations

from businesses.reference_data import NEEDS


def load(apps, schema_editor):
    Need = apps.get_model("businesses", "Need")
    for position, (code, name, offer_name) in enumerate(NEEDS):
        Need.objects.update_or_create(
            code=code, defaults={"name": name, "offer_name": offer_name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("businesses", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
