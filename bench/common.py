"""What every benchmark shares: timing, percentiles, figures and the final table."""

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field


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

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else self.value <= self.target

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


@dataclass
class Context:
    scale: float
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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
    if float(value).is_integer():
        return f"{int(value):,} {unit}".strip()
    return f"{value:.2f} {unit}".strip()


def _describe(fig: Figure) -> str:
    text = f"{fig.name}: {_fmt(fig.value, fig.unit)}"
    if fig.target is not None:
        text += f"  (target ≤ {_fmt(fig.target, fig.unit)}: {'ok' if fig.ok else 'MISSED'})"
    if fig.note:
        text += f"  [{fig.note}]"
    return text


def print_table(figures: list[Figure]) -> None:
    rows = [("bench", "figure", "value", "target", "")]
    for f in figures:
        if f.detail:
            continue
        target = "" if f.target is None else f"≤ {_fmt(f.target, f.unit)}"
        verdict = "" if f.ok is None else ("ok" if f.ok else "MISSED")
        rows.append((f.bench, f.name, _fmt(f.value, f.unit), target, verdict))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    aligns = ["<", "<", ">", ">", "<"]
    for i, row in enumerate(rows):
        say("  " + "  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, aligns, widths, strict=True)))
        if i == 0:
            say("  " + "  ".join("-" * w for w in widths))
