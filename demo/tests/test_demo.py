"""The demo company: realistic, complete, deterministic, and loaded only once."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core import phones
from core.models import AccessLog
from demo import generator, history
from estate.models import Community, Person, PersonPhone, Relation, Residency, Unit, UnitLink
from estate.pinyin import name_keys
from hotline.models import CategoryModel
from org.models import Company, Department, Office, Role, User
from org.policies import is_company_wide
from org.services import api_token_issue
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SMALL = 0.1
TINY = 0.05  # enough history to compare runs
CHINESE_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


@pytest.fixture
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (Company, Office, Department, User, Community, Unit, Person, PersonPhone, Ticket)
    }


@pytest.fixture
def now():
    """Where the history ends: fixed for a test, so two runs can be compared."""
    return timezone.now().replace(microsecond=0)


def _seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_full_size_demo_is_a_realistic_company():
    # The company and its estate at full size (the history is tested at a small scale).
    generator.generate(steps=generator.ESTATE_STEPS)
    company = Company.objects.get(code="heyue")
    assert company.name == "和悦物业服务有限公司"

    # Offices: one service office per community plus the 400 centre.
    assert Community.objects.filter(company=company).count() >= 3
    service = Office.objects.filter(company=company, kind=Office.Kind.SERVICE)
    assert service.count() >= 3
    assert Office.objects.filter(company=company, kind=Office.Kind.HOTLINE_CENTRE).count() == 1
    for office in service:
        assert office.communities.count() == 1
        kinds = set(office.departments.values_list("kind", flat=True))
        assert kinds >= {
            "customer_service",
            "engineering",
            "security",
            "cleaning",
            "accounting",
            "office",
        }

    # About 2,000 units, numbered building-entrance-room.
    units = list(Unit.objects.filter(community__company=company).select_related("building"))
    assert 1800 <= len(units) <= 2200
    for u in units:
        prefix = u.building.name.removesuffix("号楼").removesuffix("座")
        expected = "-".join(p for p in (prefix, u.entrance, u.room) if p)
        assert u.number == expected
        assert 50 <= u.area_m2 <= 180
    assert any(u.entrance for u in units) and any(not u.entrance for u in units)
    residencies = {u.residency for u in units}
    assert residencies == set(Residency.values)
    occupied = sum(u.residency == Residency.OCCUPIED for u in units)
    assert occupied > len(units) / 2

    # People: Chinese names, pinyin keys, valid unique phones.
    people = list(Person.objects.filter(company=company))
    assert len(people) > len(units)
    for p in people:
        assert CHINESE_NAME.match(p.name), p.name
        assert (p.name_pinyin, p.name_initials) == name_keys(p.name)
    numbers = list(PersonPhone.objects.filter(company=company).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    assert all(phones.normalise(n) == n and phones.MOBILE.match(n) for n in numbers)
    assert sum(p.birthday is not None for p in people) > 0.7 * len(people)
    attitudes = [p.attitude for p in people]
    assert attitudes.count("neutral") > len(people) / 2
    assert 0 < attitudes.count("adverse") < attitudes.count("favourable")
    assert any(p.key_client and p.notes for p in people)
    assert any("独居老人" in p.special_needs for p in people)
    assert any(p.address_as for p in people)

    # Links: tenants in rented units, family members, owners of two units.
    relations = set(UnitLink.objects.values_list("relation", flat=True))
    assert relations == set(Relation.values)
    assert UnitLink.objects.filter(relation="tenant", unit__residency=Residency.RENTED).exists()
    multi = [
        p
        for p in Person.objects.filter(company=company).prefetch_related("unit_links__unit")
        if len(p.unit_links.all()) > 1
    ]
    assert multi
    assert any(len({link.unit.community_id for link in p.unit_links.all()}) > 1 for p in multi)

    # Staff: every role, Chinese names, one shared password.
    staff = list(User.objects.filter(company=company))
    assert {r for u in staff for r in u.roles} == set(Role.values)
    assert all(CHINESE_NAME.match(u.name) for u in staff)
    admin = User.objects.get(username="hy_admin")
    assert admin.is_staff and admin.check_password(generator.DEMO_PASSWORD)
    assert [u.username for u in staff if u.is_staff] == ["hy_admin"]
    assert is_company_wide(User.objects.get(username="hy_quality"))
    assert is_company_wide(User.objects.get(username="hy_hotline1"))
    manager = User.objects.get(username="cuihu_manager")
    assert not is_company_wide(manager)
    assert manager.check_password(generator.DEMO_PASSWORD)


def _digest_of_a_run(**kwargs) -> str:
    with transaction.atomic():
        generator.generate(**kwargs)
        digest = generator.demo_digest()
        transaction.set_rollback(True)
    assert not Company.objects.filter(code="heyue").exists()
    return digest


def test_generation_is_deterministic(fast_hasher, now):
    first = _digest_of_a_run(scale=TINY, now=now)
    assert first
    assert _digest_of_a_run(scale=TINY, now=now) == first
    # Another seed is another company (the estate alone shows it).
    steps = generator.ESTATE_STEPS
    assert _digest_of_a_run(scale=SMALL, seed=7, steps=steps) != _digest_of_a_run(
        scale=SMALL, steps=steps
    )
    # The history ends at `now`: a day later is another history.
    assert _digest_of_a_run(scale=TINY, now=now - timedelta(days=1)) != first


def test_seed_demo_loads_once_and_trains_the_category_suggestion(fast_hasher):
    out = _seed("--scale", str(SMALL))
    assert "loaded" in out
    counts = _counts()
    assert counts["Unit"] > 100
    assert counts["Ticket"] > 500
    # Each service office's suggestion is trained on its history, with its accuracy.
    assert "hold-out accuracy" in out
    models = CategoryModel.objects.filter(office__company__code="heyue")
    assert models.count() == 4
    assert all(m.holdout_accuracy and m.holdout_accuracy > 0.6 for m in models)
    out = _seed()
    assert out.strip() == "demo data already loaded"
    assert _counts() == counts


def test_reset_deletes_and_reloads_around_protected_rows(fast_hasher, company, office, now):
    """Other companies survive; rows pointing at demo rows with PROTECT do not block."""
    at = ("--now", now.isoformat(), "--no-train")
    _seed("--scale", str(TINY), *at)
    user = User.objects.get(username="cuihu_front")
    person = Person.objects.filter(company__code="heyue").first()
    AccessLog.objects.create(
        user=user, object_type="person", object_id=str(person.id), field="phone"
    )
    api_token_issue(user=user)
    digest = generator.demo_digest()

    out = _seed("--reset", "--scale", str(TINY), *at)
    assert "Deleted the demo company" in out
    assert Company.objects.filter(code="heyue").count() == 1
    assert generator.demo_digest() == digest
    assert not AccessLog.objects.exists()
    assert Company.objects.filter(code="hy").exists()
    assert Office.objects.filter(id=office.id).exists()


def test_seed_demo_refuses_when_a_demo_username_is_taken(fast_hasher, company):
    User.objects.create(username="hy_admin", company=company)
    with pytest.raises(Exception, match="hy_admin"):
        _seed("--scale", str(SMALL))
    assert not Company.objects.filter(code="heyue").exists()


def test_demo_logins_lists_staff_and_password(fast_hasher):
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "seed_demo" in out.getvalue()

    _seed("--scale", str(SMALL), "--no-train")
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert generator.DEMO_PASSWORD in text
    assert "http://127.0.0.1:8000" in text
    for username in generator.demo_usernames():
        assert username in text
    assert "400客服中心" in text
    # The phone system's key and secret, and a push to try.
    assert history.DEMO_PHONE_KEY in text and history.DEMO_PHONE_SECRET in text
    curl = next(line.strip() for line in text.splitlines() if line.strip().startswith("curl "))
    assert "/api/v1/phone/push" in curl and '"extension": "8001"' in curl
    assert User.objects.get(username="hy_hotline1").extension == "8001"
