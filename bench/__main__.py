"""OwnerDesk benchmarks: `make bench`, or `.venv/bin/python -m bench [options]`.

Runs against its own database, migrated fresh every run: var/bench.sqlite3 by
default (never the app's var/ownerdesk.sqlite3), or a PostgreSQL database given with
--database-url (which is wiped: its name must contain "bench" unless --force).
Prints figures next to their targets and a table at the end, and writes them to
var/bench-results.json. Nothing here asserts on timing.

  estate    a 100,000-unit roster import, people lookups and search at 120,000 people
  tickets   1,000,000 tickets loaded; creation over HTTP, the work list, the ticket page
  reports   the monthly report (office, company), return-visit planning
  hotline   the screen-pop, the category suggestion's latency and accuracy

  --only tickets     run one benchmark (repeatable; default: all, in the order above).
                     tickets, reports and hotline share one load of the tickets, made
                     by whichever runs first (with a small organisation of its own
                     when the estate benchmark did not run)
  --scale 0.1        a quick run: everything shrunk in proportion (10,000 units,
                     100,000 tickets …)
  --texts bench      ticket texts from the benchmark's own generator instead of the
                     demo's (demo.phrases, used when it is there)
"""

import argparse
import importlib
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
BENCHMARKS = {
    "estate": "bench.estate",
    "tickets": "bench.tickets",
    "reports": "bench.reports",
    "hotline": "bench.hotline",
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    parser.add_argument("--scale", type=float, default=1.0, help="data size relative to full")
    parser.add_argument(
        "--database-url",
        help="default: sqlite:///var/bench.sqlite3; a postgres:// URL runs on PostgreSQL",
    )
    parser.add_argument(
        "--force", action="store_true", help="wipe a PostgreSQL database whatever its name"
    )
    parser.add_argument(
        "--texts",
        choices=["auto", "demo", "bench"],
        default="auto",
        help="ticket texts: the demo's (demo.phrases), the benchmark's own, or the demo's "
        "when it is there (default)",
    )
    parser.add_argument("--output", default=str(VAR / "bench-results.json"))
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    return args


def _prepare_environment(args: argparse.Namespace) -> str:
    VAR.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{VAR / 'bench.sqlite3'}"
    if url.startswith("sqlite"):
        path = Path(url.split("sqlite:///", 1)[1])
        if path.resolve() == (VAR / "ownerdesk.sqlite3").resolve():
            sys.exit("Refusing to run the benchmarks on the app's own database.")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        import dj_database_url

        name = dj_database_url.parse(url).get("NAME") or ""
        if "bench" not in name and not args.force:
            sys.exit(
                f"The benchmarks wipe the database {name!r}; use one whose name contains "
                "'bench', or pass --force."
            )
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "0"  # no query log, production-like templates
    # django.test.Client sends Host: testserver.
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    os.environ.setdefault("LOG_LEVEL", "CRITICAL")  # failures become notes
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return url


def _fresh_database() -> float:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor != "sqlite":
        call_command("flush", verbosity=0, interactive=False)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    url = _prepare_environment(args)

    import django

    django.setup()
    from django.db import connection

    from bench.common import Context, print_table, say

    say(f"OwnerDesk benchmarks — scale {args.scale:g}, database {connection.vendor}")
    say(f"  {url if connection.vendor == 'sqlite' else connection.settings_dict['NAME']}")
    say(f"  machine: {_machine()}, load average {_load()}")
    say(f"  migrating a fresh database… {_fresh_database():.1f} s")
    load_before = _load()
    ctx = Context(scale=args.scale)
    ctx.state["texts"] = args.texts
    names = [n for n in BENCHMARKS if n in args.only] if args.only else list(BENCHMARKS)
    started = datetime.now(UTC)
    for name in names:
        say(f"\n[{name}]")
        importlib.import_module(BENCHMARKS[name]).run(ctx)

    say("\nSummary")
    print_table(ctx.figures)
    for note in ctx.notes:
        say(f"  note: {note}")
    say(
        f"  load average before/after: {load_before} / {_load()} (other work on the machine skews latencies)"
    )
    missed = [f for f in ctx.figures if f.ok is False]
    say(
        f"\n  {len(missed)} figure(s) missed their target."
        if missed
        else "\n  All figures with a target met it."
    )
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(
            {
                "started_at": started.isoformat(),
                "scale": args.scale,
                "database": connection.vendor,
                "database_version": _db_version(connection),
                "python": platform.python_version(),
                "django": django.get_version(),
                "machine": _machine(),
                "load_average": {"before": load_before, "after": _load()},
                "benchmarks": names,
                "texts": args.texts,
                "figures": [f.as_dict() for f in ctx.figures],
                "notes": ctx.notes,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    say(f"  Results written to {output}")
    return 0


def _machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def _db_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("select version()")
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    sys.exit(main())
