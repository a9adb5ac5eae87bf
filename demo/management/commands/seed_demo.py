"""Load the demo company (和悦物业) once; `--reset` deletes it and loads it again."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo import generator


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # must answer in well under a second
    help = "Load the demo company, its offices, staff, communities and people (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Delete the demo company and load it again."
        )
        parser.add_argument("--seed", type=int, default=generator.DEFAULT_SEED)
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size of the estate relative to the full demo (about 2,000 units).",
        )

    def handle(self, *args, reset=False, seed=generator.DEFAULT_SEED, scale=1.0, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive")
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
            result = generator.generate(seed=seed, scale=scale, log=log)
        except generator.DemoConflict as exc:
            raise CommandError(f"Cannot load the demo: {exc}") from exc
        counts = ", ".join(f"{n} {label}" for label, n in result.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded in {time.perf_counter() - started:.1f} s: ")
            + counts
        )
        self.stdout.write(
            f"All demo staff share the password {generator.DEMO_PASSWORD!r}"
            " (python manage.py demo_logins lists them)."
        )
