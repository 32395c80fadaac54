"""`manage.py match_cities`: give partner cities their place in the gazetteer (the matching the
migration 0011_gazetteer did), with the report of those not matched."""

from django.core.management.base import BaseCommand

from partnerships.matching import match_partners
from partnerships.models import Partner


class Command(BaseCommand):
    help = "Match partner cities without a GeoNames id to the gazetteer, and report the others."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            dest="rematch",
            action="store_true",
            help="Match every city again, those that already have a GeoNames id included.",
        )

    def handle(self, *args, rematch, verbosity, **options):
        report = match_partners(Partner, rematch=rematch)
        for line in report.lines(verbose=verbosity > 1):
            self.stdout.write(line)
