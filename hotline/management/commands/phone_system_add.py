from django.core.management.base import BaseCommand, CommandError

from hotline.services import phone_system_create
from org.models import Office


class Command(BaseCommand):
    help = "Register a phone system that may push calls; prints its secret once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("office", type=int)
        parser.add_argument("key")
        parser.add_argument("name")

    def handle(self, *args, office, key, name, **options) -> None:
        target = Office.objects.filter(id=office).first()
        if target is None:
            raise CommandError(f"no office {office}")
        system, secret = phone_system_create(office=target, name=name, key=key)
        self.stdout.write(
            f"phone system {system.key}: send headers X-Phone-System: {system.key}, X-Phone-Secret: {secret}"
        )
