"""`manage.py refresh_health`: recompute every running partnership's stored health now (after
an upgrade, or a change made to the tables by hand). The nightly task does the same each day."""

from django.core.management.base import BaseCommand

from partnerships import tasks


class Command(BaseCommand):
    help = "Recompute every running partnership's stored health score that is not current."

    def handle(self, *args, **options) -> None:
        read = tasks.refresh_health()
        self.stdout.write(f"{read} partnerships' health recomputed.")
