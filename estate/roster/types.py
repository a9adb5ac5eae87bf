"""What a roster import reports: its counts, or every bad row."""

from dataclasses import asdict, dataclass

from django.utils.translation import gettext as _

from core.errors import RuleViolation


@dataclass(frozen=True)
class RowError:
    row: int  # row number as Excel shows it (1-based, counting title rows)
    column: str  # the Chinese header ("电话"), or "" when the row as a whole is wrong
    reason: str


class RosterInvalid(RuleViolation):
    """Some rows are wrong and nothing was written. `rows` lists every one of them;
    the error body carries them as `error.rows: [{row, column, reason}]` (API.md)."""

    code = "roster_invalid"

    def __init__(self, rows: list[RowError], message: str = "") -> None:
        self.rows = list(rows)
        if not message:
            message = _("%(count)d rows of the sheet are wrong; nothing was imported.") % {
                "count": len({e.row for e in self.rows})
            }
        super().__init__(
            message,
            fields={"file": [message]},
            extra={"rows": [asdict(e) for e in self.rows]},
        )


@dataclass(frozen=True)
class RosterImportResult:
    """Counts of one import. `phones_added` counts phones added to people the company
    already had; the phones of new people come with `people_created`."""

    units_created: int
    people_created: int
    links_created: int
    rows_unchanged: int
    units_updated: int
    phones_added: int
    buildings_created: int

    def as_dict(self) -> dict:
        return asdict(self)
