from django.core.management.base import BaseCommand

from core.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "Delete Idempotency-Key records past their retention (a periodic job)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"deleted {idempotency_prune()} idempotency records")
