"""Reports benchmark: the monthly report at 1,000,000 tickets, and return-visit planning.

Works on the tickets benchmark's data (bench.tickets.ensure_tickets loads it when that
benchmark did not run):

1. reports.selectors.monthly_report for the last full month, in-process: for the big
   office (80,000 tickets that month) as its office manager, and for the whole
   company (1,000,000 tickets in all) as the company admin. A first (cold) call, then
   repeated calls; the figure is their median;
2. return-visit generation for 10,000 resolutions never planned (open tickets marked
   resolved by a bulk UPDATE, not timed), by visits.planning.visit_plan_missing as
   `manage.py plan_return_visits` runs it; then planning inside each resolution's own
   transaction, as ticket_resolve does, for 2,000 more: the cost per resolution.
"""

import statistics
import time
from datetime import timedelta
from random import Random

from django.db import transaction
from django.utils import timezone

from bench.common import (
    Context,
    Samples,
    cpu_now,
    cpu_since,
    diagnose,
    percentile,
    profile_top,
    say,
)
from bench.tickets import SEED, Load, ensure_tickets
from reports.selectors import Scope, monthly_report
from tickets.models import OPEN_STATUSES, Status, Ticket
from visits.models import ReturnVisit
from visits.planning import SWEEP_BATCH, visit_plan_for_resolved_ticket, visit_plan_missing

BENCH = "reports"
RESOLUTIONS = 10_000
INLINE_RESOLUTIONS = 2_000
OFFICE_RUNS = 5
COMPANY_RUNS = 3
TARGET_OFFICE_S = 1.0
TARGET_COMPANY_S = 5.0
TARGET_VISITS_S = 10.0


def run(ctx: Context) -> None:
    load = ensure_tickets(ctx, BENCH)
    steps = (
        ("monthly report", lambda: _monthly(ctx, load)),
        ("visit planning", lambda: _visit_planning(ctx, load)),
    )
    for label, step in steps:
        try:
            step()
        except Exception as exc:
            ctx.note(f"{label} not measured: {type(exc).__name__}: {str(exc)[:300]}")


# ---- the monthly report --------------------------------------------------------------------


def _fresh(user):
    for attr in ("_office_ids_cache", "_member_offices_cache", "_department_ids_cache"):
        user.__dict__.pop(attr, None)
    return user


def _monthly(ctx: Context, load: Load) -> None:
    org = load.org
    big = org.big.office
    month = load.report_month
    cases = (
        (
            "office",
            org.big.manager,
            Scope(office=big.id),
            OFFICE_RUNS,
            TARGET_OFFICE_S,
            Ticket.objects.filter(office=big),
        ),
        ("company", org.admin, Scope(), COMPANY_RUNS, TARGET_COMPANY_S, Ticket.objects.all()),
    )
    for label, user, scope, runs, target, all_tickets in cases:
        report = {}

        def call(user=user, scope=scope):
            nonlocal report
            report = monthly_report(user=_fresh(user), month=month, scope=scope)

        walls, cpus = [], []
        for _ in range(1 + runs):
            mark = cpu_now()
            call()
            wall, cpu = cpu_since(mark)
            walls.append(wall)
            cpus.append(cpu)
        in_month = report["tickets_total"]
        total = all_tickets.count()
        warm = walls[1:]
        figure = ctx.figure(
            BENCH,
            f"monthly report, {label} ({in_month:,} tickets in {month})",
            statistics.median(warm),
            "s",
            target=target,
            note=(
                f"median of {runs} calls after a first one of {walls[0]:.2f} s; "
                f"min {min(warm):.2f}, max {max(warm):.2f}; CPU median "
                f"{statistics.median(cpus[1:]):.2f} s; {total:,} tickets in scope in all; "
                f"visits required {report['return_visits']['required']:,}, "
                f"{len(report['unqualified_visits']):,} unqualified listed, "
                f"{len(report['repeat_complaints']):,} repeat-complaint and "
                f"{len(report['repeat_repairs']):,} repeat-repair groups"
            ),
        )
        if figure.ok is False or label == "office":
            # Where the time goes, query by query (with the plans of the slowest).
            diagnose(ctx, BENCH, f"report ({label})", call, top=4)
        if figure.ok is False:
            say(f"    cProfile of one {label} report (by own time):")
            for line in profile_top(call, 12):
                say(f"      {line}")


# ---- return-visit planning -------------------------------------------------------------------


def _resolve_in_bulk(ctx: Context, load: Load, r: Random, wanted: int) -> tuple[list[int], float]:
    """Mark `wanted` open tickets resolved, one second apart up to now (not timed)."""
    open_ids = list(
        Ticket.objects.filter(company=load.org.company, status__in=OPEN_STATUSES).values_list(
            "id", flat=True
        )
    )
    ids = r.sample(open_ids, min(wanted, len(open_ids)))
    if len(ids) < wanted:
        ctx.note(f"only {len(ids):,} open tickets to resolve (wanted {wanted:,})")
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(0, len(ids), 500):
            Ticket.objects.filter(id__in=ids[i : i + 500]).update(
                status=Status.RESOLVED,
                resolved_at=now - timedelta(seconds=len(ids) - i),
                outcome="resolved",
                resolution="已处理完毕",
                updated_at=now,
            )
    return ids, time.perf_counter() - started


def _visit_planning(ctx: Context, load: Load) -> None:
    r = Random(f"{SEED}:resolve")
    _generation(ctx, load, r)
    _at_resolution(ctx, load, r)


def _generation(ctx: Context, load: Load, r: Random) -> None:
    """Visit generation for 10,000 resolutions that were never planned, as
    `manage.py plan_return_visits` runs it (visits.planning.visit_plan_missing)."""
    started = timezone.now()
    ids, setup = _resolve_in_bulk(ctx, load, r, ctx.scaled(RESOLUTIONS, 100))
    since = started - timedelta(seconds=len(ids) + 1)
    visits_before = ReturnVisit.objects.count()
    mark = cpu_now()
    result = visit_plan_missing(company=load.org.company, since=since)
    wall, cpu = cpu_since(mark)
    planned = ReturnVisit.objects.count() - visits_before
    ctx.figure(
        BENCH,
        f"visit generation for {len(ids):,} resolutions",
        wall,
        "s",
        # 10 s for 10,000: proportionally less for fewer.
        target=TARGET_VISITS_S * len(ids) / RESOLUTIONS,
        note=(
            f"CPU {cpu:.1f} s; {result.checked:,} resolutions checked, {result.decided:,} "
            f"sampling decisions, {planned:,} visits planned, in transactions of "
            f"{SWEEP_BATCH:,}; marking them resolved took {setup:.1f} s (not timed)"
        ),
    )
    again = cpu_now()
    rerun = visit_plan_missing(company=load.org.company, since=since)
    ctx.figure(
        BENCH,
        "  visit generation run again (nothing left to plan)",
        cpu_since(again)[0],
        "s",
        note=f"{rerun.checked:,} checked, {rerun.planned:,} planned",
        detail=True,
    )


def _at_resolution(ctx: Context, load: Load, r: Random) -> None:
    """Planning inside each resolution's own transaction, as ticket_resolve does it:
    the cost one resolution adds to its request."""
    ids, _setup = _resolve_in_bulk(ctx, load, r, ctx.scaled(INLINE_RESOLUTIONS, 100))
    tickets = []
    for i in range(0, len(ids), 1000):
        tickets += Ticket.objects.filter(id__in=ids[i : i + 1000]).select_related(
            "office", "company"
        )
    tickets.sort(key=lambda t: (t.resolved_at, t.id))

    def plan(ticket):
        with transaction.atomic():
            return visit_plan_for_resolved_ticket(ticket=ticket)

    samples = Samples()
    mark = cpu_now()
    for ticket in tickets:
        cpu_started, started = time.process_time(), time.perf_counter()
        visit = plan(ticket)
        samples.wall.append((time.perf_counter() - started) * 1000)
        samples.cpu.append((time.process_time() - cpu_started) * 1000)
        samples.kinds.append("visit planned" if visit is not None else "no visit")
    wall, cpu = cpu_since(mark)
    ctx.figure(
        BENCH,
        f"visit planning at resolution, p95 per resolution ({len(tickets):,} one by one)",
        percentile(samples.wall, 95),
        "ms",
        note=(
            f"p50 {percentile(samples.wall, 50):.2f} ms, max {max(samples.wall):.1f} ms; "
            f"{wall:.1f} s for all {len(tickets):,} (CPU {cpu:.1f} s), so "
            f"{wall / len(tickets) * RESOLUTIONS:.1f} s per {RESOLUTIONS:,} one at a time"
        ),
    )
    for kind, group in samples.by_kind().items():
        ctx.figure(
            BENCH,
            f"  visit planning at resolution · {kind}",
            sum(group.wall) / 1000,
            "s",
            note=(
                f"{len(group.wall):,} calls, p50 {percentile(group.wall, 50):.2f} ms, p95 "
                f"{percentile(group.wall, 95):.2f} ms; CPU p50 {percentile(group.cpu, 50):.2f} ms"
            ),
            detail=True,
        )
    # One more resolution, query by query.
    extra = (
        Ticket.objects.filter(company=load.org.company, status__in=OPEN_STATUSES)
        .select_related("office", "company")
        .order_by("id")
        .first()
    )
    if extra is not None:
        Ticket.objects.filter(id=extra.id).update(
            status=Status.RESOLVED, resolved_at=timezone.now(), outcome="resolved"
        )
        extra.refresh_from_db()
        diagnose(ctx, BENCH, "visit planning at resolution", lambda: plan(extra), top=3)
