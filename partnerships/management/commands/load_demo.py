"""`manage.py load_demo`: the demo dataset (see `partnerships.demo`), safe to run again."""

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
        for username, association in result.associations.items():
            self.stdout.write(
                f"\n{username} speaks for the {association}; the link to the association "
                "is recorded once the businesses app exists."
            )
