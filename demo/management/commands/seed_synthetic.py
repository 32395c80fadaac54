"""`manage.py seed_synthetic`: synthetic benchmark data in bulk (see `demo.synthetic`)."""

from django.core.management.base import BaseCommand, CommandError

from demo import synthetic


class Command(BaseCommand):
    help = (
        "Bulk-insert synthetic partnerships for benchmarks (NOT a walk through the workflow: "
        "no services, gates or history). Every run adds a new batch: synthetic cities are "
        "numbered after the highest 'Synthcity NNNNN' already stored, so running it twice "
        "doubles the data without unique-constraint errors. Do not run it on production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--partnerships", type=int, required=True, help="How many (N).")
        parser.add_argument("--cities", type=int, help="Partner cities (default max(300, 0.3N)).")
        parser.add_argument(
            "--businesses",
            type=int,
            default=0,
            help="Member businesses (with their chambers) to add.",
        )
        parser.add_argument("--activities", type=int, help="Activities in all (default 20N).")
        parser.add_argument("--reviews", type=int, help="Reviews in all (default 2N).")
        parser.add_argument(
            "--seed", type=int, default=synthetic.DEFAULT_SEED, help="Random seed (default 2026)."
        )
        parser.add_argument("--batch-size", type=int, default=synthetic.BATCH_SIZE)

    def handle(self, *args, **options):
        try:
            result = synthetic.seed(
                partnerships=options["partnerships"],
                cities=options["cities"],
                activities=options["activities"],
                reviews=options["reviews"],
                businesses=options["businesses"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                progress=lambda message: (
                    self.stdout.write(f"  … {message}") if options["verbosity"] > 1 else None
                ),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(result.summary_line()))
