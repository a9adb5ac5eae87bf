"""core.db.counter_add: counts in one statement, per unique key, creating the row."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.db import counter_add
from tickets.models import TicketCounter

pytestmark = pytest.mark.django_db


def test_counts_per_key_in_one_statement(office, office2):
    day = date(2026, 11, 25)
    with CaptureQueriesContext(connection) as ctx:
        first = counter_add(
            TicketCounter,
            keys={"office_id": office.id, "day": day},
            field="last",
            returning=("last",),
        )
    assert first == (1,) and len(ctx.captured_queries) == 1
    for expected in (2, 3):
        assert counter_add(
            TicketCounter,
            keys={"office_id": office.id, "day": day},
            field="last",
            returning=("last",),
        ) == (expected,)
    assert counter_add(
        TicketCounter,
        keys={"office_id": office2.id, "day": day},
        field="last",
        by=5,
        returning=("last",),
    ) == (5,)
    assert counter_add(
        TicketCounter,
        keys={"office_id": office.id, "day": date(2026, 11, 26)},
        field="last",
        returning=("last",),
    ) == (1,)
    assert dict(TicketCounter.objects.values_list("office_id", "last").filter(day=day)) == {
        office.id: 3,
        office2.id: 5,
    }
