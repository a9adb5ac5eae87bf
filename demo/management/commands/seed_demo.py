"""Load the demo company (和悦物业) once; `--reset` deletes it and loads it again."""

import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo import generator


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # must answer in well under a second
    help = (
        "Load the demo company: offices, staff, communities, people and six months of "
        "history ending now, then train the category suggestion (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo company and load it again."
        )
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size of the estate and its history relative to the full demo "
            "(about 2,000 units, 10,000 tickets).",
        )
        parser.add_argument(
            "--now",
            type=_moment,
            default=None,
            help="Where the history ends (ISO time, default: now); the same seed, scale and "
            "--now give the same data.",
        )
        parser.add_argument(
            "--no-train",
            action="store_true",
            help="Do not train the category suggestion now (the worker can: "
            "hotline.tasks.train_category_models).",
        )

    def handle(
        self,
        *args,
        reset=False,
        seed=generator.DEFAULT_SEED,
        scale=1.0,
        now=None,
        no_train=False,
        **options,
    ):
        if scale <= 0:
            raise CommandError("--scale must be positive")
        if now is not None and now > timezone.now():
            raise CommandError("--now may not be in the future")
        started = time.perf_counter()
        if generator.demo_company() is not None:
            if not reset:
                self.stdout.write("demo data already loaded")
                return
            deleted = generator.delete_demo()
            total = sum(deleted.values())
            self.stdout.write(
                f"Deleted the demo company ({total} rows) in {time.perf_counter() - started:.1f} s."
            )
            started = time.perf_counter()
        self.stdout.write(f"Loading demo data for {generator.DEMO_COMPANY_NAME}…")
        log = self.stdout.write if options.get("verbosity", 1) > 1 else None
        try:
            result = generator.generate(seed=seed, scale=scale, log=log, now=now)
        except generator.DemoConflict as exc:
            raise CommandError(f"Cannot load the demo: {exc}") from exc
        counts = ", ".join(f"{n} {label}" for label, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {time.perf_counter() - started:.1f} s: ")
            + counts
        )
        if not no_train:
            trained = time.perf_counter()
            accuracy = generator.train_category_models(log=log)
            figures = ", ".join(
                f"{code} {value:.1%}" if value is not None else f"{code} (rules only)"
                for code, value in accuracy.items()
            )
            self.stdout.write(
                f"Category suggestion trained in {time.perf_counter() - trained:.1f} s; "
                f"hold-out accuracy: {figures}"
            )
        self.stdout.write(
            f"All demo staff share the password {generator.DEMO_PASSWORD!r}"
            " (python manage.py demo_logins lists them)."
        )
