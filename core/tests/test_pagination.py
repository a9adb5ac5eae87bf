"""CappedPaginator: counts at most `cap` rows, and not at all when the first page holds
every row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.pagination import CappedPaginator
from org.models import Office
from org.tests.factories import OfficeFactory

pytestmark = pytest.mark.django_db


def pages(count, per_page, cap=1000):
    for i in range(count):
        OfficeFactory(code=f"o{i:03d}")
    paginator = CappedPaginator(Office.objects.order_by("id"), per_page)
    paginator.cap = cap
    return paginator


def sqls(ctx):
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.parametrize("number", [None, "", "1", 1, "abc"])
def test_a_first_page_holding_every_row_needs_no_count(number):
    paginator = pages(4, per_page=5)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(number)
        assert (page.number, len(page), paginator.count, paginator.num_pages) == (1, 4, 4, 1)
    assert len(sqls(ctx)) == 1 and "COUNT" not in sqls(ctx)[0]


def test_a_full_first_page_counts_when_asked():
    paginator = pages(7, per_page=5)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(None)
        assert len(page) == 5 and page.has_next()
        assert paginator.num_pages == 2
    assert [("COUNT" in sql) for sql in sqls(ctx)] == [False, True]
    second = paginator.get_page("2")
    assert len(second) == 2 and not second.has_next()
    assert paginator.get_page("9").number == 2  # beyond the end: the last page


def test_the_count_stops_at_the_cap():
    paginator = pages(7, per_page=2, cap=3)
    paginator.get_page(None)
    assert paginator.count == 4 and paginator.capped and paginator.num_pages == 2
