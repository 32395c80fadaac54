"""`manage.py backup`: the whole database to backups/<timestamp>.dump (PostgreSQL) or .xml."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from accounts import backups


class Command(BaseCommand):
    help = (
        "Back up the database: pg_dump -Fc on PostgreSQL, dumpdata (natural keys) on SQLite. "
        "Prints the path of the file written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the file to write (default: a timestamped name)")
        parser.add_argument(
            "--dir", default=str(Path(settings.BASE_DIR) / "backups"), help="folder for it"
        )

    def handle(self, *args, **options):
        settings_dict = connections["default"].settings_dict
        path = (
            Path(options["output"])
            if options["output"]
            else backups.default_backup_path(settings_dict, Path(options["dir"]))
        )
        try:
            backups.backup(path)
        except (RuntimeError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        except backups.subprocess.CalledProcessError as exc:
            raise CommandError(f"pg_dump failed: {exc.stderr.strip()}") from exc
        self.stdout.write(str(path))
