"""Run the reminder scan once, by hand: `manage.py send_reminders [--dry-run]`.

The same scan celery beat runs every morning (`notifications.tasks.run_reminder_scan`). Safe to
run at any time: what was recorded before is never sent again. With no Redis configured the
emails go out from this process; with Redis, the workers send them.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from notifications import reminders, tasks
from partnerships.health import rules


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today wants a date as YYYY-MM-DD, not “{value}”.") from None


class Command(BaseCommand):
    help = "Record and send the reminders due today (reviews, MOUs, stalled steps, actions)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be sent (kind, partnership, recipient, occurrence); "
            "write and send nothing.",
        )
        parser.add_argument(
            "--today", type=_date, help="Scan as if today were this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--stalled-days",
            type=int,
            help="Days in one step after which a partnership is stalled "
            f"(default: {rules.STALLED_DAYS}, partnerships/health/rules.py).",
        )

    def handle(self, *args, dry_run=False, today=None, stalled_days=None, **options):
        if stalled_days is not None and stalled_days < 1:
            raise CommandError("--stalled-days must be at least 1.")
        result = reminders.scan(
            today=today,
            stalled_days=stalled_days,
            dry_run=dry_run,
            deliver=tasks.enqueue_delivery,
        )
        if dry_run:
            self._list(result)
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.today}: {result.created} new reminder(s) recorded, "
                f"{result.woken} back from a snooze, {len(result.queued)} handed to delivery"
                + (f", {len(result.requeued)} stuck one(s) handed again" if result.requeued else "")
                + "."
            )
        )
        for kind, n in sorted(result.by_kind.items()):
            self.stdout.write(f"  {kind}: {n}")

    def _list(self, result: reminders.ScanResult) -> None:
        self.stdout.write(
            f"Dry run for {result.today} (stalled after {result.stalled_days} days): "
            f"{len(result.planned)} reminder(s) would be recorded"
            + (f", {result.woken} would come back from a snooze" if result.woken else "")
            + ". Nothing was written or sent."
        )
        rows = sorted(
            result.planned,
            key=lambda p: (p.kind, p.partnership_title, p.occurrence, p.recipient_label),
        )
        for p in rows:
            digest = " [weekly digest]" if p.digest else ""
            self.stdout.write(
                f"{p.kind}\t{p.partnership_title} (#{p.partnership_id})\t"
                f"{p.recipient_label} ({p.role}){digest}\t{p.occurrence.isoformat()}\t"
                f"{p.headline}"
            )
