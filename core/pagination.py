"""Pagination for searches that may match a great many rows."""

from functools import cached_property

from django.core.paginator import Page, PageNotAnInteger, Paginator


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMIT), so a broad search does not
    count all of its matches just to say how many pages there are. `capped` tells the
    template to say "1,000+"; pages beyond the cap are not offered.

    The first page is read one row beyond its size: when that row is not there, the
    rows read are the count, and no COUNT runs. Most searches fit on one page, and
    a search that scans (a name fragment) then scans once, not twice.
    """

    cap = 1000

    @cached_property
    def count(self) -> int:
        # Neither the order nor the annotations change how many rows there are, and
        # without the order the database may use the filter's index instead of walking
        # the sort index through every row.
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    def validate_number(self, number) -> int:
        # Django counts before it looks at the number; the first page (or no number,
        # which get_page turns into the first page) needs no count.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        return 1 if number == 1 else super().validate_number(number)

    def page(self, number) -> Page:
        fits = self.per_page + self.orphans
        if self.validate_number(number) != 1 or "count" in self.__dict__ or fits > self.cap:
            return super().page(number)
        rows = list(self.object_list[: fits + 1])
        if len(rows) <= fits:
            self.__dict__["count"] = len(rows)  # the cached_property, known without a COUNT
            return self._get_page(rows, 1, self)
        return self._get_page(rows[: self.per_page], 1, self)
