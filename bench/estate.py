"""Estate benchmark: a 100,000-unit roster import, then people lookups at 120,000 people.

1. the demo company (org, 4 communities) is seeded; a fifth office gets one large
   community whose roster — 100,000 units with their owners — is written as an
   .xlsx (openpyxl write_only) and imported through estate.roster.roster_import;
2. tenants and family members are added (bulk_create) until the company has
   120,000 people;
3. the hotline screen-pop, GET /api/v1/people?phone=, is timed in-process with
   django.test.Client and a bearer token (no network, no web server);
4. person search, estate.selectors.person_list(q=…)[:50], is timed with a mix of
   queries, for a company-wide hotline agent and an office receptionist, and the
   same queries through the web page /estate/people/?q= when it exists.
"""

import time
from datetime import date, timedelta
from pathlib import Path
from random import Random

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.urls import NoReverseMatch, reverse

from bench.common import Context, Samples, percentile, run_all, timed
from demo import generator
from demo.names import NameMaker, PhonePool
from estate import selectors
from estate.models import Community, Person, PersonPhone, Relation, Unit, UnitLink
from estate.pinyin import name_keys
from org.models import Department, Office, Role, User

BENCH = "estate"
SEED = 20261125
UNITS = 100_000
PEOPLE = 120_000
LOOKUPS = 1_000
SEARCHES = 500
WARM_UP = 50
TARGET_IMPORT_S = 60.0
TARGET_PHONE_P95_MS = 10.0
TARGET_SEARCH_P95_MS = 50.0

HEADER = ["楼栋", "单元", "房号", "建筑面积", "入住状态", "姓名", "关系", "电话", "生日"]
# (entrances, floors, homes per floor, area range): walk-ups, high-rises, towers, mid-rises.
STYLES = [(3, 6, 2, (58, 126)), (2, 18, 2, (86, 143)), (0, 33, 4, (90, 180)), (2, 11, 2, (86, 140))]
RESIDENCY = (["已入住", "未入住", "出租", "空置"], [70, 12, 12, 6])


def run(ctx: Context) -> None:
    rng = Random(SEED)
    units = max(100, round(UNITS * ctx.scale))

    seconds, seed = timed(generator.generate)
    ctx.figure(BENCH, "demo seed (org + 2,000 units)", seconds, "s")
    office, community, manager, receptionist = _bench_office(seed)

    path = _roster_path()
    seconds, rows = timed(lambda: build_roster(path, units, rng))
    size_mb = path.stat().st_size / 1e6
    # openpyxl writes inline strings, which read slower than Excel's shared strings.
    note = f"{size_mb:.1f} MB, inline strings"
    ctx.figure(BENCH, f"build roster .xlsx ({rows:,} rows)", seconds, "s", note=note)

    _import(ctx, community, manager, path, rows)

    # 120,000 people in all at full size; at a smaller scale, the same share of occupants.
    target = max(round(PEOPLE * ctx.scale), Person.objects.count() + round(units * 0.17))
    seconds, added = timed(lambda: add_people(seed, office, community, target, rng))
    total = Person.objects.count()
    ctx.figure(BENCH, f"add {added:,} tenants/family (bulk_create)", seconds, "s")
    ctx.figure(BENCH, "people in the database", total, "")

    agent = User.objects.get(username="hy_hotline1")
    queries = search_queries(community, rng)
    steps = (
        ("phone lookup", lambda: _phone_lookups(ctx, agent, rng)),
        (
            "search (selector)",
            lambda: _searches(
                ctx, queries, [("hotline agent", agent), ("receptionist", receptionist)]
            ),
        ),
        ("search (web page)", lambda: _web_searches(ctx, queries, receptionist)),
    )
    for label, step in steps:
        # The app is a moving target: one broken view must not hide the other figures.
        try:
            step()
        except Exception as exc:
            ctx.note(f"{label} not measured: {type(exc).__name__}: {str(exc)[:200]}")


# ---- setup ---------------------------------------------------------------------------


def _roster_path() -> Path:
    return Path(settings.VAR_DIR) / "bench-roster.xlsx"


def _bench_office(seed: generator.Seed) -> tuple[Office, Community, User, User]:
    """A fifth service office with the large community, a manager and a receptionist."""
    company = seed.company
    office = Office.objects.create(company=company, code="yunting", name="云庭物业服务处")
    cs = Department.objects.create(
        office=office, name="客服中心", kind=Department.Kind.CUSTOMER_SERVICE
    )
    community = Community.objects.create(
        company=company,
        office=office,
        code="yunting",
        name="未来城·云庭",
        address="浙江省杭州市余杭区良睦路1399号",
    )
    names = NameMaker(Random(f"{SEED}:bench-staff"))
    users = []
    for username, role in (
        ("yunting_manager", Role.OFFICE_MANAGER),
        ("yunting_front", Role.RECEPTIONIST),
    ):
        user = User.objects.create(
            company=company,
            username=username,
            name=names.make().full,
            roles=[role],
            password=seed.password_hash,
        )
        user.offices.set([office])
        users.append(user)
    users[1].departments.set([cs])
    return office, community, users[0], users[1]


def build_roster(path, rows: int, rng: Random) -> int:
    """Write a roster sheet of `rows` units with their owners, as an office keeps it:
    a title row, the header, one row per unit; some owners hold two units, some units
    have nobody yet, phones in the forms people type them."""
    from openpyxl import Workbook

    names = NameMaker(rng)
    phones = PhonePool(rng, taken=set(PersonPhone.objects.values_list("number", flat=True)))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("住户花名册")
    ws.append(["未来城·云庭 住户花名册（2026年11月）"])
    ws.append([])
    ws.append(HEADER)
    owners: list[tuple[str, str, object]] = []
    written = 0
    building = 0
    while written < rows:
        building += 1
        entrances, floors, per_floor, area = STYLES[building % len(STYLES)]
        bname = f"{building}号楼"
        for e in range(1, entrances + 1) if entrances else [0]:
            entrance = (f"{e}单元" if building % 2 else str(e)) if e else ""
            areas = [round(rng.uniform(*area), 2) for _ in range(per_floor)]
            for floor in range(1, floors + 1):
                for pos in range(per_floor):
                    if written >= rows:
                        break
                    room = f"{floor}{pos + 1:02d}"
                    residency = rng.choices(*RESIDENCY)[0]
                    row = [bname, entrance, room, areas[pos], residency]
                    roll = rng.random()
                    if roll < 0.02:
                        row += [None, None, None, None]  # nobody yet
                    elif roll < 0.05 and owners:
                        name, phone_cell, birthday = rng.choice(owners)
                        row += [name, "业主", phone_cell, birthday]
                    else:
                        year = round(rng.triangular(1946, 1997, 1977))
                        name = names.make(birth_year=year).full
                        numbers = [phones.mobile() for _ in range(2 if rng.random() < 0.3 else 1)]
                        if rng.random() < 0.05:
                            n = numbers[0]
                            numbers[0] = f"+86 {n[:3]} {n[3:7]} {n[7:]}"
                        phone_cell = rng.choice(["/", "、", "，"]).join(numbers)
                        birthday = None
                        if rng.random() < 0.8:
                            day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
                            birthday = day if rng.random() < 0.7 else day.isoformat()
                        owners.append((name, phone_cell, birthday))
                        row += [name, "业主", phone_cell, birthday]
                    ws.append(row)
                    written += 1
    wb.save(path)
    return written


def _import(ctx: Context, community: Community, actor: User, path, rows: int) -> None:
    try:
        from estate.roster import roster_import
    except ImportError:
        ctx.note("estate.roster.roster_import is missing: import not measured")
        return
    with open(path, "rb") as f:
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            result = roster_import(community=community, file=f, actor=actor)
        except Exception as exc:
            rows_info = getattr(exc, "rows", None)
            ctx.note(f"roster import failed: {exc!r} {rows_info[:5] if rows_info else ''}")
            raise
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    ctx.figure(
        BENCH,
        f"roster import ({rows:,} rows)",
        seconds,
        "s",
        target=TARGET_IMPORT_S,
        note=f"CPU {cpu:.1f} s; " + ", ".join(f"{k} {v:,}" for k, v in result.as_dict().items()),
    )
    ctx.figure(BENCH, "roster import throughput", rows / seconds, "rows/s")


def add_people(
    seed: generator.Seed, office: Office, community: Community, target: int, rng: Random
) -> int:
    """Tenants of rented units and family members elsewhere, until `target` people."""
    missing = target - Person.objects.count()
    if missing <= 0:
        return 0
    units = list(Unit.objects.filter(community=community).values_list("id", "residency"))
    names = NameMaker(rng)
    phones = PhonePool(rng, taken=set(PersonPhone.objects.values_list("number", flat=True)))
    keys: dict[str, tuple[str, str]] = {}
    added = 0
    with transaction.atomic():
        while added < missing:
            batch = min(5000, missing - added)
            people, links, numbers = [], [], []
            for _ in range(batch):
                unit_id, residency = rng.choice(units)
                relation = Relation.TENANT if residency == "rented" else Relation.FAMILY
                name = names.make(birth_year=rng.randint(1940, 2006)).full
                pinyin, initials = keys.get(name) or keys.setdefault(name, name_keys(name))
                people.append(
                    Person(
                        company=seed.company,
                        office=office,
                        name=name,
                        name_pinyin=pinyin,
                        name_initials=initials,
                    )
                )
                links.append((unit_id, relation))
                numbers.append(phones.mobile() if rng.random() < 0.7 else None)
            Person.objects.bulk_create(people, batch_size=1000)
            UnitLink.objects.bulk_create(
                [
                    UnitLink(person=p, unit_id=u, relation=r)
                    for p, (u, r) in zip(people, links, strict=True)
                ],
                batch_size=1000,
                ignore_conflicts=True,
            )
            PersonPhone.objects.bulk_create(
                [
                    PersonPhone(
                        person=p, company=seed.company, number=n, preferred=True, position=0
                    )
                    for p, n in zip(people, numbers, strict=True)
                    if n
                ],
                batch_size=1000,
            )
            added += batch
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as a DBA (or SQLite's optimize) would after a bulk load
    return added


def sql_of(fn) -> list[str]:
    """The SQL statements `fn()` runs (a query log that survives request signals)."""
    seen: list[str] = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        fn()
    return seen


# ---- phone lookup through the API ----------------------------------------------------------


def _phone_lookups(ctx: Context, agent: User, rng: Random) -> None:
    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": agent.username, "password": generator.DEMO_PASSWORD},
        content_type="application/json",
    )
    if response.status_code != 200:
        ctx.note(f"POST /api/v1/auth/token answered {response.status_code}: lookups skipped")
        return
    auth = {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}
    numbers = list(PersonPhone.objects.values_list("number", flat=True))
    sample = [rng.choice(numbers) for _ in range(WARM_UP + LOOKUPS)]
    misses = []

    def lookup(number: str):
        def call():
            r = client.get("/api/v1/people", {"phone": number}, **auth)
            if r.status_code != 200 or not r.json()["results"]:
                misses.append((number, r.status_code))

        return call

    run_all(lookup(n) for n in sample[:WARM_UP])
    queries = sql_of(lookup(sample[0]))
    samples = Samples()
    for n in sample[WARM_UP:]:
        samples.add(lookup(n))
    _report(
        ctx,
        "phone lookup",
        "API",
        samples,
        TARGET_PHONE_P95_MS,
        note=f"in-process django.test.Client, {LOOKUPS} lookups, {len(queries)} queries each",
        p99=True,
    )
    if misses:
        ctx.note(f"{len(misses)} phone lookups found nobody or failed, e.g. {misses[:3]}")


# ---- person search ---------------------------------------------------------------------------


def search_queries(community: Community, rng: Random) -> list[tuple[str, str]]:
    """SEARCHES (kind, q) pairs: pinyin initials, full-pinyin prefixes, name fragments,
    unit-number prefixes and phone prefixes, taken from real rows."""
    ids = list(Person.objects.values_list("id", flat=True))
    picked = Person.objects.filter(id__in=rng.sample(ids, min(len(ids), SEARCHES))).order_by("id")
    people = list(picked.values_list("name", "name_pinyin", "name_initials"))
    numbers = list(
        PersonPhone.objects.filter(person_id__in=picked.values("id")).values_list(
            "number", flat=True
        )
    )
    unit_numbers = list(Unit.objects.filter(community=community).values_list("number", flat=True))
    per_kind = SEARCHES // 5
    queries: list[tuple[str, str]] = []
    for _name, _pinyin, initials in people[:per_kind]:
        queries.append(
            ("initials", initials[: rng.choice([2, 3])] if len(initials) > 2 else initials)
        )
    for _name, pinyin, _initials in people[per_kind : 2 * per_kind]:
        queries.append(("pinyin", pinyin[: rng.randint(min(4, len(pinyin)), len(pinyin))]))
    for name, _pinyin, _initials in people[2 * per_kind : 3 * per_kind]:
        queries.append(("name", rng.choice([name, name[:2], name[1:]])))
    for _ in range(per_kind):
        number = rng.choice(unit_numbers)
        queries.append(("unit", number[: len(number) - rng.randint(0, 2)]))
    for number in (numbers or ["13800000000"]) * per_kind:
        if len(queries) >= SEARCHES:
            break
        queries.append(("phone", number[: rng.choice([4, 7, 11])]))
    rng.shuffle(queries)
    return queries


def _fresh(user: User) -> User:
    # Each request loads its user anew: drop what the policies cached on it.
    for attr in ("_office_ids_cache", "_member_offices_cache"):
        user.__dict__.pop(attr, None)
    return user


def _searches(ctx: Context, queries: list[tuple[str, str]], users: list[tuple[str, User]]) -> None:
    for label, user in users:
        for _kind, q in queries[:WARM_UP]:
            list(selectors.person_list(user=_fresh(user), q=q)[:50])
        samples = Samples()
        for kind, q in queries:
            samples.add(
                lambda q=q, u=user: list(selectors.person_list(user=_fresh(u), q=q)[:50]), kind
            )
        note = f"{len(queries)} queries, first 50 results with phones and units"
        _report(ctx, "search", f"selector, {label}", samples, TARGET_SEARCH_P95_MS, note=note)


def _report(
    ctx: Context,
    what: str,
    how: str,
    samples: Samples,
    target: float,
    note: str = "",
    p99: bool = False,
) -> None:
    """p50, p95 (against the target), optionally p99, then p95 per kind of query."""
    ctx.figure(BENCH, f"{what} p50 ({how})", percentile(samples.wall, 50), "ms", note=note)
    ctx.figure(
        BENCH,
        f"{what} p95 ({how})",
        percentile(samples.wall, 95),
        "ms",
        target=target,
        note=f"CPU time p50 {percentile(samples.cpu, 50):.2f}, p95 {percentile(samples.cpu, 95):.2f}",
    )
    if p99:
        ctx.figure(BENCH, f"{what} p99 ({how})", percentile(samples.wall, 99), "ms")
    kinds = samples.by_kind()
    if len(kinds) < 2:
        return
    for kind, group in kinds.items():
        ctx.figure(
            BENCH,
            f"  {how} · {kind} p95",
            percentile(group.wall, 95),
            "ms",
            note=(
                f"p50 {percentile(group.wall, 50):.1f}, max {max(group.wall):.1f}; "
                f"CPU p95 {percentile(group.cpu, 95):.1f}"
            ),
            detail=True,
        )


def _web_searches(ctx: Context, queries: list[tuple[str, str]], user: User) -> None:
    try:
        url = reverse("estate:person_list")
    except NoReverseMatch:
        ctx.note("no web people-search page (estate:person_list): web search not measured")
        return
    client = Client()
    client.force_login(user)
    response = client.get(url, {"q": queries[0][1]})
    if response.status_code != 200:
        ctx.note(f"GET {url}?q= answered {response.status_code}: web search not measured")
        return
    run_all(lambda q=q: client.get(url, {"q": q}) for _kind, q in queries[:WARM_UP])
    failures = []

    def get(q: str):
        def call():
            if client.get(url, {"q": q}).status_code != 200:
                failures.append(q)

        return call

    samples = Samples()
    for kind, q in queries:
        samples.add(get(q), kind)
    note = f"GET {url}?q=, in-process Client, session of the receptionist"
    _report(ctx, "search", "web page", samples, TARGET_SEARCH_P95_MS, note=note)
    if failures:
        ctx.note(f"{len(failures)} web searches did not answer 200, e.g. {failures[:3]}")
