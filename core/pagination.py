"""Pagination for searches that may match a great many rows."""

from functools import cached_property

from django.core.paginator import Paginator


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMIT), so a broad search does not
    count all of its matches just to say how many pages there are. `capped` tells the
    template to say "1,000+"; pages beyond the cap are not offered."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap
