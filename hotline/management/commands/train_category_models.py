from django.core.management.base import BaseCommand

from hotline.tasks import train_category_models


class Command(BaseCommand):
    help = "Retrain each office's category model on its resolved tickets (periodic job)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--office", type=int, action="append", help="Only these office ids")
        parser.add_argument(
            "--enqueue", action="store_true", help="Run it in the task worker instead"
        )

    def handle(self, *args, office=None, enqueue=False, **options) -> None:
        if enqueue:
            result = train_category_models.enqueue(office)
            self.stdout.write(f"enqueued task {result.id}")
            return
        for office_id, accuracy in train_category_models.call(office).items():
            shown = (
                "rules only (too little history)"
                if accuracy is None
                else f"hold-out accuracy {accuracy:.1%}"
            )
            self.stdout.write(f"office {office_id}: {shown}")
