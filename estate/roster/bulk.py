"""Many-row INSERT and UPDATE straight through the cursor, for the roster import.

`QuerySet.bulk_create` spends most of a 100,000-row import preparing every field of
every object (≈ 4 million calls for the five tables an import fills). Here a column
the import does not give (a default, `created_at`…) is prepared once per statement,
and a given value only when its field needs converting for the database (dates,
decimals, JSON); plain text, numbers and ids go as they are. Every concrete field of
the model is written, so a field added later with a default needs no change here.

On PostgreSQL a statement passes one array per column (`INSERT … SELECT FROM
UNNEST(…)`, as Django's own bulk_create does there): psycopg's client-side binding
scans the SQL for placeholders, which costs seconds when there is one per value.
Elsewhere (SQLite) it is a multi-row VALUES list within the parameter limit.
Like bulk_create, no model signals are sent.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection, models

BATCH = 2000

# Fields whose Python value is already what the database driver takes.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)


def chunks(items: Sequence, size: int | None = None) -> Iterable[Sequence]:
    """Slices of `items` small enough for one statement's parameters."""
    if size is None:
        limit = connection.features.max_query_params
        size = BATCH if limit is None else max(1, min(BATCH, limit - 10))
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Table:
    """INSERT rows of `model` giving the fields `given` (attnames, e.g. "person_id").

    Call inside the import's transaction. `now` fills auto_now/auto_now_add fields.
    """

    def __init__(self, model: type[models.Model], given: Sequence[str], now: datetime) -> None:
        opts = model._meta
        self.table = opts.db_table
        self.pk_column = opts.pk.column
        unknown = set(given) - {f.attname for f in opts.concrete_fields}
        if unknown:
            raise ValueError(f"{model.__name__} has no field(s) {sorted(unknown)}")
        given = list(given)
        # Given columns: (column, database type, index in a row, converter or None).
        self.given: list[tuple[str, str, int, object]] = []
        # Other columns: (column, database type, the prepared constant).
        self.constant: list[tuple[str, str, object]] = []
        for f in opts.concrete_fields:
            if f.primary_key or getattr(f, "generated", False):
                continue
            db_type = (f.db_type(connection) or "").split("(")[0]
            if f.attname in given:
                convert = None if isinstance(f, _PLAIN) else self._converter(f)
                self.given.append((f.column, db_type, given.index(f.attname), convert))
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.has_db_default():
                continue  # the database fills it
            else:
                value = None if f.null else ""
            self.constant.append((f.column, db_type, f.get_db_prep_save(value, connection)))

    @staticmethod
    def _converter(f: models.Field):
        def convert(value):
            return None if value is None else f.get_db_prep_save(value, connection)

        return convert

    def insert(self, rows: Sequence[Sequence], *, returning: bool = False) -> list[int]:
        """Insert `rows`; with `returning`, the new primary keys in the order of `rows`."""
        if not rows:
            return []
        qn = connection.ops.quote_name
        columns = [c[0] for c in self.given] + [c[0] for c in self.constant]
        head = "INSERT INTO {} ({}) ".format(qn(self.table), ", ".join(qn(c) for c in columns))
        tail = f" RETURNING {qn(self.pk_column)}" if returning else ""
        unnest = connection.vendor == "postgresql"
        if unnest:
            # One array per given column: a few parameters per statement, not one per value.
            head += "SELECT u.*{} FROM UNNEST({}) AS u".format(
                "".join(f", (%s)::{db_type}" for _c, db_type, _v in self.constant),
                ", ".join(f"(%s)::{db_type}[]" for _c, db_type, _i, _f in self.given),
            )
            per_statement = BATCH
        else:
            per_statement = BATCH
            limit = connection.features.max_query_params
            if limit is not None:
                per_statement = max(1, min(BATCH, limit // len(columns)))
        constants = [value for _c, _t, value in self.constant]
        ids: list[int] = []
        with connection.cursor() as cursor:
            for batch in chunks(rows, per_statement):
                if unnest:
                    sql, params = head + tail, constants + self._arrays(batch)
                else:
                    sql, params = self._values(head, batch, constants, tail)
                cursor.execute(sql, params)
                if returning:
                    # Keys are handed out in the order of the rows given; RETURNING's own
                    # order is not promised, so sort rather than trust it.
                    ids.extend(sorted(r[0] for r in cursor.fetchall()))
        return ids

    def _arrays(self, batch: Sequence[Sequence]) -> list[list]:
        arrays = []
        for _column, _type, index, convert in self.given:
            values = [row[index] for row in batch]
            arrays.append(values if convert is None else [convert(v) for v in values])
        return arrays

    def _values(self, head, batch, constants, tail) -> tuple[str, list]:
        one = "(" + ", ".join(["%s"] * (len(self.given) + len(constants))) + ")"
        params: list = []
        for row in batch:
            for _column, _type, index, convert in self.given:
                params.append(row[index] if convert is None else convert(row[index]))
            params.extend(constants)
        return head + "VALUES " + ", ".join([one] * len(batch)) + tail, params


def update(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence]) -> None:
    """UPDATE `fields` of many rows, each row being (*values, pk)."""
    if not rows:
        return
    opts = model._meta
    qn = connection.ops.quote_name
    model_fields = [opts.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        qn(opts.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in model_fields),
        qn(opts.pk.column),
    )
    params = [
        [
            value if value is None else f.get_db_prep_save(value, connection)
            for f, value in zip(model_fields, row[:-1], strict=True)
        ]
        + [row[-1]]
        for row in rows
    ]
    with connection.cursor() as cursor:
        for batch in chunks(params, BATCH):
            cursor.executemany(sql, batch)
