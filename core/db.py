"""Query helpers that keep searches on their indexes on both databases."""

from django.db import connection
from django.db.models import Q

# Above every character a prefix can be followed by.
_TOP = "\U0010ffff"


def prefix_q(field: str, prefix: str) -> Q:
    """`field` starts with `prefix`, written so that an index on `field` is used.

    SQLite's LIKE ignores case, so `startswith` can never use an index there; a range
    does, and is exact under SQLite's binary collation. PostgreSQL keeps LIKE, which
    the `varchar_pattern_ops` indexes serve whatever the database's collation (a range
    would be wrong under a locale collation that ignores punctuation such as "-").
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _TOP})
    return Q(**{f"{field}__startswith": prefix})
