"""The community roster (住户名册) as offices keep it in Excel: import, export, template.

API.md "Estate and people" (`POST /imports/people`, `GET /exports/people`) is the
contract. A row is a unit, or a (unit, person) pair; columns are found by their
Chinese header in the first sheet, below any title rows.

An import must take a 100,000-row sheet in well under a minute, so it never queries
per row:

1. `sheet`: read the sheet (openpyxl read-only, values only) and check every row in
   memory;
2. `importer`: inside one transaction, load what the community and the company
   already hold in a few set-based queries, and resolve each row to a unit and a
   person;
3. `importer` + `bulk`: insert and update in batches of many rows per statement.

Errors from steps 1 and 2 are gathered and raised together (RosterInvalid) before
anything is written, so a sheet goes in whole or not at all.
"""

from estate.roster.exporter import roster_export, roster_template
from estate.roster.importer import roster_import
from estate.roster.sheet import COLUMNS, unit_number
from estate.roster.types import RosterImportResult, RosterInvalid, RowError

__all__ = [
    "COLUMNS",
    "RosterImportResult",
    "RosterInvalid",
    "RowError",
    "roster_export",
    "roster_import",
    "roster_template",
    "unit_number",
]
