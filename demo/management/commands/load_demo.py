"""`manage.py load_demo`: the demo dataset (`demo/data/`), safe to run again."""

from django.core.management.base import BaseCommand

from demo import agenda, businesses, discussion, invitations, partnerships


class Command(BaseCommand):
    help = (
        "Load the demo cities, strategies, partnerships (walked through the real workflow), "
        "demo users, and the chambers with their businesses. Idempotent: existing rows are "
        "matched by natural key and kept. "
        f'Every demo user gets the password "{partnerships.DEMO_PASSWORD}", reset on each run.'
    )

    def handle(self, *args, **options):
        result = partnerships.load()
        # The chambers and their businesses: after the partnerships they refer to.
        chambers = businesses.load()
        # Comments on the twinned pair's partnership and sub-alliance: after both exist.
        comments = discussion.load()
        # Calls, meetings and a delegation for the pair's officers ("My activities").
        activities = agenda.load()
        # A pending invitation to a partner city without officers (its link in the console).
        invitations.load()
        # Counted once both parts are in (the sub-alliance records an activity).
        result.counts = partnerships.row_counts()
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
        self.stdout.write("\n" + chambers.summary_line())
        for username, association in result.associations.items():
            self.stdout.write(f"{username} is approved staff of the {association}.")
        self.stdout.write(f"Discussion: {comments} comment(s) posted (existing threads kept).")
        self.stdout.write(f"Scheduled activities: {activities} scheduled (existing agendas kept).")
        for username, role, password in chambers.logins:
            self.stdout.write(f"{username}, {role}, signs in with {password}.")
