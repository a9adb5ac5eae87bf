"""Hotline benchmark: the screen-pop and the category suggestion at 1,000,000 tickets.

Works on the tickets benchmark's data (bench.tickets.ensure_tickets loads it when that
benchmark did not run) and its 120,000 people:

1. the screen-pop, GET /api/v1/people?phone=, for the numbers of people who have
   tickets (each answer carries their open tickets and last five contacts), in-process
   with django.test.Client and a hotline agent's bearer token (no network, no server);
2. the big office's category model is trained on its history
   (hotline.suggest.category_model_train, which keeps the accuracy of
   hotline.suggest.evaluate on a held-out 20%);
3. POST /api/v1/tickets/suggest, in-process, with growing prefixes of new descriptions
   (one request per batch of keystrokes: every 4 characters, then the whole text).
"""

from collections import Counter
from random import Random

from django.test import Client

from bench.common import (
    Context,
    Samples,
    cpu_now,
    cpu_since,
    diagnose,
    percentile,
    report_latency,
    run_all,
    sql_of,
)
from bench.tickets import SEED, Load, api_token, ensure_tickets, sample_until
from estate.models import PersonPhone
from hotline.models import CategoryModel
from hotline.suggest import MAX_TRAINING, category_model_train
from hotline.text import warm
from tickets.models import Ticket

BENCH = "hotline"
LOOKUPS = 1_000
TYPED = 250  # descriptions typed, each giving several suggestion requests
STEP = 4  # characters per keystroke batch
WARM_UP = 30
TARGET_POP_P95_MS = 20.0
TARGET_SUGGEST_P95_MS = 30.0
TARGET_ACCURACY = 85.0


def run(ctx: Context) -> None:
    load = ensure_tickets(ctx, BENCH)
    client = Client()
    token = api_token(client, load.org.agent.username)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    steps = (
        ("screen-pop", lambda: _screen_pop(ctx, load, client, auth)),
        ("suggestion", lambda: _suggestion(ctx, load, client, auth)),
    )
    for label, step in steps:
        try:
            step()
        except Exception as exc:
            ctx.note(f"{label} not measured: {type(exc).__name__}: {str(exc)[:300]}")


# ---- the screen-pop ---------------------------------------------------------------------------


def _callers(load: Load, count: int, r: Random) -> list[tuple[str, int]]:
    """(number, person) of people who have tickets, drawn by ticket (who calls more
    often has more tickets)."""
    span = load.last_id - load.first_id + 1
    ticket_ids = [load.first_id + r.randrange(span) for _ in range(count * 3)]
    people = []
    for i in range(0, len(ticket_ids), 900):
        people += Ticket.objects.filter(
            id__in=ticket_ids[i : i + 900], person__isnull=False
        ).values_list("person_id", flat=True)
    phones: dict[int, list[str]] = {}
    unique = sorted(set(people))
    for i in range(0, len(unique), 900):
        for number, person_id in PersonPhone.objects.filter(
            person_id__in=unique[i : i + 900]
        ).values_list("number", "person_id"):
            phones.setdefault(person_id, []).append(number)
    callers = [(r.choice(phones[p]), p) for p in people if p in phones]
    r.shuffle(callers)
    return callers[:count]


def _screen_pop(ctx: Context, load: Load, client: Client, auth: dict) -> None:
    r = Random(f"{SEED}:screen-pop")
    count = ctx.scaled(LOOKUPS, 100)
    callers = _callers(load, count + WARM_UP, r)
    if not callers:
        ctx.note("no phone of a person with tickets: screen-pop not measured")
        return
    empty, misses = [], []

    def lookup(number: str):
        def call():
            response = client.get("/api/v1/people", {"phone": number}, **auth)
            if response.status_code != 200 or not response.json()["results"]:
                misses.append((number, response.status_code))
                return
            cards = response.json()["results"]
            if not any(c["recent_contacts"] for c in cards):
                empty.append(number)

        return call

    run_all(lookup(n) for n, _p in callers[:WARM_UP])
    queries = len(sql_of(lookup(callers[0][0])))
    tickets_of = Counter(
        Ticket.objects.filter(person_id__in=[p for _n, p in callers[WARM_UP:][:900]]).values_list(
            "person_id", flat=True
        )
    )
    per_person = sorted(tickets_of.values()) or [0]
    samples = Samples()
    left = sample_until(samples, ((None, lookup(n)) for n, _p in callers[WARM_UP:]))
    report_latency(
        ctx,
        BENCH,
        "screen-pop",
        "GET /api/v1/people?phone=",
        samples,
        TARGET_POP_P95_MS,
        note=(
            f"in-process django.test.Client, hotline agent's token, {len(samples.wall)} "
            f"numbers of people with tickets (median {percentile(per_person, 50):.0f}, "
            f"max {per_person[-1]} tickets each); {queries} queries a lookup"
        ),
        p99=True,
    )
    if left:
        ctx.note(f"screen-pop: time budget reached, {left} lookups left out")
    if misses:
        ctx.note(f"{len(misses)} screen-pops found nobody or failed, e.g. {misses[:3]}")
    if empty:
        ctx.note(f"{len(empty)} screen-pops showed no contacts although the person has tickets")
    if percentile(samples.wall, 95) > TARGET_POP_P95_MS:
        diagnose(ctx, BENCH, "screen-pop", lookup(callers[-1][0]), top=3)


# ---- the suggestion -----------------------------------------------------------------------------


def _suggestion(ctx: Context, load: Load, client: Client, auth: dict) -> None:
    office = load.org.big
    ctx.note(f"ticket texts (training and typing): {load.texts.source}")
    say_source = f"texts: {load.texts.source}"
    warm()
    mark = cpu_now()
    row = category_model_train(office=office.office)
    wall, cpu = cpu_since(mark)
    if row is None:
        ctx.note("category_model_train found too little history: suggestion not measured")
        return
    ctx.figure(
        BENCH,
        f"train {office.office.code}'s category model ({row.samples:,} tickets)",
        wall,
        "s",
        note=(
            f"CPU {cpu:.0f} s; hotline.suggest.category_model_train: the most recent "
            f"{MAX_TRAINING:,} resolved tickets at most; evaluate() on a held-out 20% "
            "then the model on all; model "
            f"{len(CategoryModel.objects.get(pk=row.pk).blob) / 1e6:.1f} MB"
        ),
    )
    if row.holdout_accuracy is not None:
        ctx.figure(
            BENCH,
            "suggestion accuracy (held-out 20%)",
            row.holdout_accuracy * 100,
            "%",
            target=TARGET_ACCURACY,
            at_least=True,
            note=f"hotline.suggest.evaluate on title + description; {say_source}",
        )
    else:
        ctx.note("evaluate() gave no accuracy (too few samples per category)")

    community = office.communities[0]
    typed = []
    for _ in range(ctx.scaled(TYPED, 30)):
        matter = load.texts.draw(load.now.month, office.office.code)
        unit_id = office.units[len(typed) % len(office.units)][0]
        label, _title, description = load.texts.make(matter, "hotline", office.context(unit_id))
        typed.append((label, description))
    url = "/api/v1/tickets/suggest"
    answers: list[tuple[str, str, str, str]] = []  # (label, stage, category, source)
    failures = []

    def suggest(matter: str, text: str, stage: str):
        def call():
            response = client.post(
                url,
                {"community": community, "description": text},
                content_type="application/json",
                **auth,
            )
            if response.status_code != 200:
                failures.append((text, response.status_code))
                return
            body = response.json()
            answers.append((matter, stage, body["category"], body["source"]))

        return call

    calls = []
    for matter, description in typed:
        lengths = [*range(STEP, len(description), STEP), len(description)]
        for n in lengths:
            stage = "whole text" if n == len(description) else "prefix"
            calls.append((stage, suggest(matter, description[:n], stage)))
    run_all(call for _stage, call in calls[:WARM_UP])
    answers.clear()
    queries = len(sql_of(calls[0][1]))
    answers.clear()
    samples = Samples()
    left = sample_until(samples, calls)
    report_latency(
        ctx,
        BENCH,
        "suggest",
        "POST /api/v1/tickets/suggest",
        samples,
        TARGET_SUGGEST_P95_MS,
        note=(
            f"in-process Client, {len(typed)} new descriptions typed {STEP} characters at a "
            f"time ({len(samples.wall)} requests); {queries} queries a request"
        ),
    )
    if left:
        ctx.note(f"suggest: time budget reached, {left} requests left out")
    if failures:
        ctx.note(f"{len(failures)} suggestions failed, e.g. {failures[:2]}")
    whole = [a for a in answers if a[1] == "whole text"]
    if whole:
        right = sum(1 for matter, _s, category, _src in whole if category == matter)
        sources = Counter(src for *_x, src in whole)
        ctx.figure(
            BENCH,
            "  suggestion right on whole new descriptions",
            100 * right / len(whole),
            "%",
            note=(
                f"{len(whole)} descriptions without title, against the category the agent "
                f"filed; sources {dict(sources)}"
            ),
            detail=True,
        )
    if percentile(samples.wall, 95) > TARGET_SUGGEST_P95_MS:
        diagnose(ctx, BENCH, "suggest", calls[-1][1], top=3)
