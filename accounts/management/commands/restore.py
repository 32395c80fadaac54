"""`manage.py restore FILE`: replace the database's content with a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from accounts import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup`: pg_restore --clean --if-exists on "
        "PostgreSQL (one transaction), migrate + flush + loaddata on SQLite. Everything in the "
        "target database is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .dump (PostgreSQL) or .xml (SQLite) backup")
        parser.add_argument(
            "--database-url",
            help="restore into this database instead of the configured one (same engine)",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", default=True
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such backup file: {path}")
        alias = backups.target_alias(options["database_url"])
        settings_dict = connections[alias].settings_dict
        expected = backups.expected_suffixes(settings_dict)
        if path.suffix not in expected:
            names = " or ".join(expected)
            raise CommandError(
                f"{path.name} does not look like a backup for this database "
                f"({settings_dict['ENGINE'].rsplit('.', 1)[-1]} expects a {names} file)."
            )
        if options["interactive"]:
            answer = input(
                f"This replaces everything in database {settings_dict['NAME']!s} with "
                f"{path}. Type 'yes' to continue: "
            )
            if answer != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backups.restore(path, using=alias)
        except backups.subprocess.CalledProcessError as exc:
            raise CommandError(f"pg_restore failed: {exc.stderr.strip()}") from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {path} into {settings_dict['NAME']}"))
