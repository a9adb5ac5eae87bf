from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from org.models import Company
from visits.planning import visit_plan_missing


class Command(BaseCommand):
    help = (
        "Plan return visits for resolutions never planned: bulk imports, planning switched "
        "off, a rule added this month (periodic job; running it again plans nothing more)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--since",
            type=date.fromisoformat,
            help="first day of resolutions to look at, YYYY-MM-DD (default: the 1st of "
            "this month, company time)",
        )
        parser.add_argument("--company", help="one company's code (default: every company)")

    def handle(self, *args, since: date | None, company: str | None, **options) -> None:
        companies = Company.objects.order_by("code")
        if company:
            companies = companies.filter(code=company)
            if not companies.exists():
                raise CommandError(f"No company with code {company!r}.")
        for each in companies:
            tz = ZoneInfo(each.timezone)
            first = since or timezone.localtime(timezone.now(), tz).date().replace(day=1)
            result = visit_plan_missing(
                company=each, since=datetime.combine(first, time.min, tzinfo=tz)
            )
            self.stdout.write(
                f"{each.code}: since {first}: {result.checked} resolutions checked, "
                f"{result.decided} decided, {result.planned} visits planned"
            )
