"""The reminder models move to the notifications app (issue "A house a newcomer can live in").

Every row stays: the tables are renamed, nothing is copied. The state here forgets the three
models; `notifications.0001_initial` takes them up in its state without touching the database.
"""

from django.db import migrations

MOVED = ("reminder", "notificationpreference", "calendarfeed")


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0008_page_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name, f"notifications_{name}") for name in MOVED
            ],
            state_operations=[migrations.DeleteModel(name) for name in MOVED],
        ),
    ]
