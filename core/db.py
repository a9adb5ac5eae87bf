"""Query helpers that keep searches on their indexes on both databases, and a counter
that counts in one statement."""

from django.db import connection
from django.db.models import Model, Q

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


def counter_add(
    model: type[Model],
    *,
    keys: dict[str, object],
    field: str,
    by: int = 1,
    defaults: dict[str, object] | None = None,
    returning: tuple[str, ...],
) -> tuple:
    """Add `by` to `field` of the counter row `keys` names (created with `by` and
    `defaults` when missing), and return the `returning` fields as they now stand.

    One upsert (INSERT … ON CONFLICT DO UPDATE … RETURNING; SQLite ≥ 3.35 and
    PostgreSQL) that also locks the row until the transaction ends, so concurrent
    writers queue and never draw the same number. `keys` must be the fields of a
    unique constraint of the model. Plain SQL because the ORM cannot return the row
    an upsert counted.
    """
    meta = model._meta
    qn = connection.ops.quote_name
    values = {**keys, **(defaults or {}), field: by}
    columns = [qn(meta.get_field(name).column) for name in values]
    params = [meta.get_field(name).get_db_prep_value(v, connection) for name, v in values.items()]
    table, column = qn(meta.db_table), qn(meta.get_field(field).column)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(values))}) "
        f"ON CONFLICT ({', '.join(qn(meta.get_field(name).column) for name in keys)}) "
        f"DO UPDATE SET {column} = {table}.{column} + %s "
        f"RETURNING {', '.join(qn(meta.get_field(name).column) for name in returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, by])
        return cursor.fetchone()
