"""Pagination for searches that may match a great many rows."""

from functools import cached_property

from django.core.paginator import Page, Paginator


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a broad search does not count all of its matches
    just to say how many pages there are. `capped` tells the template to say "1,000+";
    pages beyond the cap are not offered.

    One query reads the ids of the first `cap + 1` rows in the list's order: their
    number is the count, and a page's rows are then fetched by id. A search that scans
    (a name fragment) scans once, not once for the page and again for the count.
    """

    cap = 1000

    @cached_property
    def _ids(self) -> list:
        return list(self.object_list.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return len(self._ids)

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self._ids[bottom:top]
        # The same queryset (its order, select_related and prefetches), for these ids.
        rows = list(self.object_list.filter(pk__in=ids)) if ids else []
        return self._get_page(rows, number, self)
