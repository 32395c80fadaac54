from django.db import migrations

from partnerships.reference_data import COOPERATION_AREAS, SECTORS


def load(apps, schema_editor):
    Sector = apps.get_model("partnerships", "Sector")
    CooperationArea = apps.get_model("partnerships", "CooperationArea")
    for code, name in SECTORS:
        Sector.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in COOPERATION_AREAS:
        CooperationArea.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
