from django.core.management.base import BaseCommand

from hotline.services import callback_reminders


class Command(BaseCommand):
    help = "Remind agents of call-backs due within 15 minutes (periodic job, e.g. every 5 minutes)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"sent {callback_reminders()} reminders")
