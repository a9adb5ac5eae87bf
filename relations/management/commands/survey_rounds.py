from django.core.management.base import BaseCommand

from relations.surveys import survey_rounds_due


class Command(BaseCommand):
    help = "Start the next round of recurring satisfaction surveys whose period has passed (periodic job)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"started {len(survey_rounds_due())} survey rounds")
