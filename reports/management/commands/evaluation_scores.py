"""python manage.py evaluation_scores CAMPAIGN [--format csv|json|xlsx] [--output FILE]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.exports import scores_to_csv, scores_to_json, scores_to_xlsx
from reports.models import Campaign
from reports.scores import campaign_scores


class Command(BaseCommand):
    help = (
        "Print a closed democratic-evaluation campaign's result: unit, unit_name, ballots, "
        "satisfied, basic, unsatisfied, satisfaction_rate, score, rank."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="the campaign's code")
        parser.add_argument("--format", choices=("csv", "json", "xlsx"), default="csv")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.filter(code=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign has the code {options['campaign']!r}")
        if not campaign.is_closed:
            raise CommandError(
                f"campaign {campaign.code} is {campaign.state}: results stay hidden until it closes"
            )
        rows = campaign_scores(campaign)
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx":
            if not output:
                raise CommandError("--format xlsx needs --output FILE")
            with open(output, "wb") as handle:
                handle.write(scores_to_xlsx(rows))
            return
        text = scores_to_csv(rows) if fmt == "csv" else scores_to_json(rows) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
