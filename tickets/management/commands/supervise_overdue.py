from django.core.management.base import BaseCommand

from tickets.services import supervision_sweep


class Command(BaseCommand):
    help = "Record supervision (督办) levels reached by overdue tickets and notify (periodic job)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"recorded {supervision_sweep()} supervisions")
