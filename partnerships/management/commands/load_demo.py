"""`manage.py load_demo`: the demo dataset (see `partnerships.demo`), safe to run again."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from partnerships import demo


class Command(BaseCommand):
    help = (
        "Load the demo cities, strategies, partnerships (walked through the real workflow) "
        "and demo users. Idempotent: existing rows are matched by natural key and kept. "
        f'Every demo user gets the password "{demo.DEMO_PASSWORD}", reset on each run.'
    )

    def handle(self, *args, **options):
        result = demo.load()
        self.stdout.write(self.style.SUCCESS(result.summary_line()))
        rows = [("username", "role", "city", "password")]
        rows += [(x.username, x.role, x.city, x.password) for x in result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        for n, row in enumerate(rows):
            line = "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True))
            self.stdout.write(line.rstrip())
            if n == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        # The chambers and their businesses (the businesses app, loaded by name so that the
        # core never imports it): after the partnerships they refer to.
        if not apps.is_installed("businesses"):
            for username, association in result.associations.items():
                self.stdout.write(f"\n{username} speaks for the {association}.")
            return
        chambers = import_module("businesses.demo").load()
        self.stdout.write("\n" + chambers.summary_line())
        for username, association in result.associations.items():
            self.stdout.write(f"{username} is approved staff of the {association}.")
        for username, role, password in chambers.logins:
            self.stdout.write(f"{username}, {role}, signs in with {password}.")
