"""CappedPaginator: counts at most `cap` rows, reading the ids once, and fetches a
page's rows by id in the list's order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import CappedPaginator
from org.models import Office
from org.tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


def paginator(count, per_page, cap=1000):
    offices = [OfficeFactory(code=f"o{i:03d}") for i in range(count)]
    p = CappedPaginator(Office.objects.order_by("-code"), per_page)
    p.cap = cap
    return p, [o.id for o in sorted(offices, key=lambda o: o.code, reverse=True)]


@pytest.mark.parametrize("number", [None, "", "1", 1, "abc"])
def test_the_first_page_in_order_with_its_count(number):
    p, ids = paginator(7, per_page=5)
    with CaptureQueriesContext(connection) as ctx:
        page = p.get_page(number)
        assert [o.id for o in page] == ids[:5]
        assert (page.number, p.count, p.num_pages, p.capped) == (1, 7, 2, False)
    # the ids once (that is the count), then the page's rows
    assert len(ctx.captured_queries) == 2 and "COUNT" not in ctx.captured_queries[0]["sql"]


def test_later_pages_and_beyond_the_end():
    p, ids = paginator(7, per_page=5)
    assert [o.id for o in p.get_page("2")] == ids[5:]
    assert p.get_page("9").number == 2  # beyond the end: the last page
    empty = CappedPaginator(Office.objects.filter(code="none").order_by("id"), 5)
    assert list(empty.get_page(None)) == [] and empty.count == 0


def test_the_count_stops_at_the_cap():
    p, ids = paginator(7, per_page=2, cap=3)
    page = p.get_page(None)
    assert p.count == 4 and p.capped and p.num_pages == 2
    assert [o.id for o in p.get_page(2)] == ids[2:4] and page.has_next()
