"""What every benchmark shares: timing, percentiles, figures and the final table, a
query log with the database's plans, and reading another process's CPU time."""

import cProfile
import io
import math
import os
import pstats
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Figure:
    """One measured number, with its target when there is one."""

    bench: str
    name: str
    value: float
    unit: str
    target: float | None = None  # the figure passes when value <= target
    note: str = ""
    detail: bool = False  # a breakdown: printed and saved, left out of the final table
    at_least: bool = False  # the figure passes when value >= target (an accuracy)

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value <= self.target

    @property
    def sign(self) -> str:
        return "≥" if self.at_least else "≤"

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


@dataclass
class Context:
    scale: float
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What one benchmark built for the next ones (the organisation, the loaded tickets).
    state: dict[str, Any] = field(default_factory=dict)

    def scaled(self, count: int, minimum: int = 1) -> int:
        """`count` shrunk by --scale, never below `minimum`."""
        return max(minimum, round(count * self.scale))

    def figure(self, bench: str, name: str, value: float, unit: str, **kw) -> Figure:
        fig = Figure(bench, name, value, unit, **kw)
        self.figures.append(fig)
        say(f"    {_describe(fig)}")
        return fig

    def note(self, text: str) -> None:
        self.notes.append(text)
        say(f"    note: {text}")


def say(text: str = "") -> None:
    print(text, flush=True)


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of `samples` (p in 0..100)."""
    ordered = sorted(samples)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


@dataclass
class Samples:
    """Latencies in ms: wall-clock, and this process's CPU time for the same calls.

    On a busy machine wall-clock times grow with the load; CPU time does not (with
    SQLite it includes the database's work, which runs in-process; with PostgreSQL
    it leaves out the server's share)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, call: Callable[[], object], kind: str = "") -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        call()
        self.wall.append((time.perf_counter() - wall) * 1000)
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.kinds.append(kind)

    def by_kind(self) -> dict[str, "Samples"]:
        out: dict[str, Samples] = {}
        for wall, cpu, kind in zip(self.wall, self.cpu, self.kinds, strict=True):
            group = out.setdefault(kind, Samples())
            group.wall.append(wall)
            group.cpu.append(cpu)
        return dict(sorted(out.items()))


def run_all(calls: Iterable[Callable[[], object]]) -> None:
    for call in calls:
        call()


def _fmt(value: float, unit: str) -> str:
    if unit == "ms":
        return f"{value:.2f} ms"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "%":
        return f"{value:.1f} %"
    if float(value).is_integer():
        return f"{int(value):,} {unit}".strip()
    return f"{value:.2f} {unit}".strip()


def _describe(fig: Figure) -> str:
    text = f"{fig.name}: {_fmt(fig.value, fig.unit)}"
    if fig.target is not None:
        text += (
            f"  (target {fig.sign} {_fmt(fig.target, fig.unit)}: {'ok' if fig.ok else 'MISSED'})"
        )
    if fig.note:
        text += f"  [{fig.note}]"
    return text


def print_table(figures: list[Figure]) -> None:
    rows = [("bench", "figure", "value", "target", "")]
    for f in figures:
        if f.detail:
            continue
        target = "" if f.target is None else f"{f.sign} {_fmt(f.target, f.unit)}"
        verdict = "" if f.ok is None else ("ok" if f.ok else "MISSED")
        rows.append((f.bench, f.name, _fmt(f.value, f.unit), target, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    aligns = ["<", "<", ">", ">", "<"]
    for i, row in enumerate(rows):
        say("  " + "  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, aligns, widths, strict=True)))
        if i == 0:
            say("  " + "  ".join("-" * w for w in widths))


def report_latency(
    ctx: Context,
    bench: str,
    what: str,
    how: str,
    samples: Samples,
    target: float | None,
    note: str = "",
    p99: bool = False,
) -> None:
    """p50, p95 (against the target), optionally p99, then p95 per kind of call."""
    ctx.figure(bench, f"{what} p50 ({how})", percentile(samples.wall, 50), "ms", note=note)
    ctx.figure(
        bench,
        f"{what} p95 ({how})",
        percentile(samples.wall, 95),
        "ms",
        target=target,
        note=f"CPU time p50 {percentile(samples.cpu, 50):.2f}, p95 {percentile(samples.cpu, 95):.2f}",
    )
    if p99:
        ctx.figure(bench, f"{what} p99 ({how})", percentile(samples.wall, 99), "ms")
    kinds = samples.by_kind()
    if len(kinds) < 2:
        return
    for kind, group in kinds.items():
        ctx.figure(
            bench,
            f"  {how} · {kind} p95",
            percentile(group.wall, 95),
            "ms",
            note=(
                f"n {len(group.wall)}, p50 {percentile(group.wall, 50):.1f}, "
                f"max {max(group.wall):.1f}; CPU p95 {percentile(group.cpu, 95):.1f}"
            ),
            detail=True,
        )


# ---- what the database does ---------------------------------------------------------------


@dataclass
class Query:
    sql: str
    params: Any
    ms: float  # until the first row (SQLite computes the rest while rows are fetched)


def query_log(fn: Callable[[], object]) -> tuple[list[Query], object]:
    """The statements `fn()` runs, with their parameters and time (a log that survives
    the request signals of django.test.Client)."""
    from django.db import connection

    log: list[Query] = []

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            log.append(Query(sql, params, (time.perf_counter() - started) * 1000))

    with connection.execute_wrapper(wrapper):
        result = fn()
    return log, result


def sql_of(fn: Callable[[], object]) -> list[str]:
    return [q.sql for q in query_log(fn)[0]]


def explain(sql: str, params: Any = ()) -> list[str]:
    """The database's plan for one statement (EXPLAIN QUERY PLAN on SQLite)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [str(row[-1]) for row in cursor.fetchall()]
        cursor.execute("EXPLAIN " + sql, params)
        return [str(row[0]) for row in cursor.fetchall()]


def diagnose(ctx: Context, bench: str, label: str, fn: Callable[[], object], top: int = 3) -> None:
    """Where one call's time goes: its queries' share, then the slowest queries with
    their plans (printed and saved as detail figures)."""
    started = time.perf_counter()
    log, _result = query_log(fn)
    total = (time.perf_counter() - started) * 1000
    sql_ms = sum(q.ms for q in log)
    ctx.figure(
        bench,
        f"  {label}: one call, time in SQL",
        sql_ms,
        "ms",
        note=f"{len(log)} queries, call {total:.1f} ms in all, {total - sql_ms:.1f} ms outside SQL",
        detail=True,
    )
    for q in sorted(log, key=lambda q: -q.ms)[:top]:
        try:
            plan = " | ".join(explain(q.sql, q.params))
        except Exception as exc:  # a statement that cannot be explained (e.g. a write)
            plan = f"(no plan: {type(exc).__name__})"
        ctx.figure(
            bench,
            f"  {label}: slow query",
            q.ms,
            "ms",
            note=f"{_short(q.sql)} — plan: {plan}",
            detail=True,
        )


def _short(sql: str, limit: int = 260) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"


def profile_top(fn: Callable[[], object], limit: int = 15) -> list[str]:
    """cProfile of one call: the functions with the most time of their own."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(limit)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    return lines[start : start + limit + 1]


# ---- other processes ---------------------------------------------------------------------


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of another process (Linux /proc), None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime 14 and stime 15 (1-based).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_now() -> tuple[float, float]:
    """(wall, this process's CPU) in seconds, to time a step."""
    return time.perf_counter(), time.process_time()


def cpu_since(mark: tuple[float, float]) -> tuple[float, float]:
    wall, cpu = mark
    return time.perf_counter() - wall, time.process_time() - cpu
