"""Steps 2 and 3 of a roster import: resolve each row to a unit and a person against
what the community and the company already hold, then write everything in bulk.

Who is who (API.md, DOMAIN.md §2): a unit is its number within the community; a
person is the same person when the name and one phone match within the company, so
one owner of several units (in several communities) is one person. A row naming a
person without a phone is someone of that name already at that unit, else a new
person.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import phones
from core.errors import NotAllowed
from estate.models import (
    Building,
    Community,
    Person,
    PersonEvent,
    PersonPhone,
    Relation,
    Residency,
    Unit,
    UnitLink,
)
from estate.pinyin import name_keys
from estate.policies import can
from estate.roster import bulk
from estate.roster.bulk import chunks
from estate.roster.sheet import BIRTHDAY, Sheet, SheetRow, cell_text, check_sheet
from estate.roster.types import RosterImportResult, RosterInvalid, RowError
from org.models import User


@dataclass(slots=True)
class _DbUnit:
    id: int
    building_id: int | None
    entrance: str
    room: str
    area: Decimal | None
    residency: str


@dataclass(slots=True)
class _PersonPlan:
    name: str
    first_row: int
    phones: list[str] = field(default_factory=list)
    birthday: date | None = None
    birthday_row: int = 0
    rows: list[SheetRow] = field(default_factory=list)


# A person in the file: ("db", person_id) for someone the company already has, or
# ("new", key) for someone this import creates.
_Token = tuple


class _Import:
    """One import, once the sheet is known to be well-formed row by row.

    Call inside a transaction: `load()` reads the community's and company's current
    state, `resolve()` decides who is who (and finds the errors that depend on it),
    `write()` applies the plan.
    """

    def __init__(self, *, community: Community, actor: User, sheet: Sheet) -> None:
        self.community = community
        self.actor = actor
        self.sheet = sheet
        self.errors: list[RowError] = []
        self.tokens: dict[int, _Token] = {}  # row → person
        self.people: dict[_Token, _PersonPlan] = {}

    # -- load --

    def load(self) -> None:
        community_id = self.community.id
        company_id = self.community.company_id
        self.buildings: dict[str, int] = {
            cell_text(name): pk
            for name, pk in Building.objects.filter(community_id=community_id).values_list(
                "name", "id"
            )
        }
        self.units: dict[str, _DbUnit] = {
            number: _DbUnit(pk, building_id, entrance, room, area, residency)
            for pk, number, building_id, entrance, room, area, residency in Unit.objects.filter(
                community_id=community_id
            ).values_list("id", "number", "building_id", "entrance", "room", "area_m2", "residency")
        }
        # (unit id, person id) → [link id, relation]; (unit id, name) → [person ids].
        self.links: dict[tuple[int, int], list] = {}
        self.named_at_unit: dict[tuple[int, str], list[int]] = defaultdict(list)
        links = (
            UnitLink.objects.filter(unit__community_id=community_id)
            .order_by("person_id", "id")
            .values_list("id", "unit_id", "person_id", "relation", "person__name")
        )
        for pk, unit_id, person_id, relation, name in links:
            self.links[(unit_id, person_id)] = [pk, relation]
            self.named_at_unit[(unit_id, cell_text(name))].append(person_id)
        # (name, phone) → [person ids] for the phones in the file only, company-wide.
        self.by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
        numbers = sorted({p for r in self.sheet.rows for p in r.phones})
        for chunk in chunks(numbers):
            found = (
                PersonPhone.objects.filter(
                    company_id=company_id, person__company_id=company_id, number__in=chunk
                )
                .order_by("person_id")
                .values_list("number", "person_id", "person__name")
            )
            for number, person_id, name in found:
                self.by_key[(cell_text(name), number)].append(person_id)

    def _unit_id(self, number: str) -> int | None:
        unit = self.units.get(number)
        return unit.id if unit is not None else None

    # -- resolve --

    def resolve(self) -> None:
        rows = self.sheet.rows
        with_phones = [r for r in rows if r.phones]

        # Rows with phones: the same person when name and one phone match, in the
        # database (best match per row) or anywhere in the file (union-find on keys).
        parent: dict[tuple[str, str], tuple[str, str]] = {}

        def find(key):
            root = key
            while parent[root] != root:
                root = parent[root]
            while parent[key] != root:
                parent[key], key = root, parent[key]
            return root

        matched: dict[int, int] = {}  # row → person id
        for r in with_phones:
            keys = [(r.name, p) for p in r.phones]
            counts: Counter[int] = Counter()
            for key in keys:
                counts.update(self.by_key.get(key, ()))
            if counts:
                unit_id = self._unit_id(r.number)
                # Most phones in common; then the one already at this unit; then the oldest.
                matched[r.row] = max(
                    counts, key=lambda pk: (counts[pk], (unit_id, pk) in self.links, -pk)
                )
            for key in keys:
                parent.setdefault(key, key)
            root = find(keys[0])
            for key in keys[1:]:
                other = find(key)
                if other != root:
                    parent[other] = root
        group_person: dict[tuple, int] = {}
        for r in with_phones:
            if r.row in matched:
                group_person.setdefault(find((r.name, r.phones[0])), matched[r.row])
        for r in with_phones:
            if r.row in matched:
                self.tokens[r.row] = ("db", matched[r.row])
            else:
                root = find((r.name, r.phones[0]))
                person = group_person.get(root)
                self.tokens[r.row] = ("new", root) if person is None else ("db", person)
        claimed = {(r.number, self.tokens[r.row]) for r in with_phones}

        # Rows without phones: someone of that name already at that unit (and not
        # named with phones elsewhere in the file), else a new person.
        seen: dict[tuple[str, str], list] = {}  # (unit, name) → [count, first token]
        for r in rows:
            if r.phones:
                continue
            key = (r.number, r.name)
            count, first = seen.get(key, (0, None))
            unit_id = self._unit_id(r.number)
            candidates = [
                pk
                for pk in self.named_at_unit.get((unit_id, r.name), ())
                if (r.number, ("db", pk)) not in claimed
            ]
            if count < len(candidates):
                token = ("db", candidates[count])
            elif first is not None:
                token = first  # the same person twice: reported as a duplicate below
            else:
                token = ("new", ("no phone", *key))
            self.tokens[r.row] = token
            seen[key] = (count + 1, first or token)

        # One row per (unit, person); one birthday per person.
        pairs: dict[tuple[str, _Token], int] = {}
        for r in rows:
            token = self.tokens[r.row]
            first_row = pairs.setdefault((r.number, token), r.row)
            if first_row != r.row:
                self.errors.append(
                    RowError(
                        r.row,
                        "",
                        _("Duplicate of row %(row)d: the same person at the same unit.")
                        % {"row": first_row},
                    )
                )
                continue
            plan = self.people.get(token)
            if plan is None:
                plan = self.people[token] = _PersonPlan(r.name, r.row)
            plan.rows.append(r)
            for number in r.phones:
                if number not in plan.phones:
                    plan.phones.append(number)
            if r.birthday is not None:
                if plan.birthday is None:
                    plan.birthday, plan.birthday_row = r.birthday, r.row
                elif plan.birthday != r.birthday:
                    self.errors.append(
                        RowError(
                            r.row,
                            BIRTHDAY,
                            _("Differs from row %(row)d for the same person.")
                            % {"row": plan.birthday_row},
                        )
                    )

    # -- write --

    def write(self) -> RosterImportResult:
        self.now = timezone.now()
        self.changed_rows: set[int] = set()  # rows that created or changed something
        changed_units = self._write_units()
        people_created = self._write_new_people()
        phones_added = self._write_phones()
        links_created = self._write_links()
        self._write_person_updates()
        self._write_events()
        unchanged = sum(
            1
            for row, number in self.sheet.unit_rows.items()
            if number not in changed_units and row not in self.changed_rows
        )
        return RosterImportResult(
            units_created=self.units_created,
            people_created=people_created,
            links_created=links_created,
            rows_unchanged=unchanged,
            units_updated=self.units_updated,
            phones_added=phones_added,
            buildings_created=self.buildings_created,
        )

    def _write_units(self) -> set[str]:
        """Create new buildings and units; update units whose data in the sheet differs.
        An existing unit keeps its building, entrance and room unless it has none."""
        community_id = self.community.id
        wanted: dict[str, None] = {}  # building names needed, in the order of the sheet
        for number, data in self.sheet.units.items():
            existing = self.units.get(number)
            if existing is None or existing.building_id is None:
                wanted.setdefault(data.building)
        names = [name for name in wanted if name not in self.buildings]
        ids = bulk.Table(Building, ("community_id", "name"), self.now).insert(
            [(community_id, name) for name in names], returning=True
        )
        self.buildings.update(zip(names, ids, strict=True))
        self.buildings_created = len(names)

        new_units: list[tuple] = []
        updates: list[tuple] = []
        changed: set[str] = set()  # numbers of the units created or updated
        for number, data in self.sheet.units.items():
            existing = self.units.get(number)
            if existing is None:
                new_units.append(
                    (
                        community_id,
                        self.buildings[data.building],
                        data.entrance,
                        data.room,
                        number,
                        data.area,
                        data.residency or Residency.OCCUPIED,
                    )
                )
                continue
            values = (
                existing.building_id or self.buildings[data.building],
                existing.entrance or data.entrance,
                existing.room or data.room,
                existing.area if data.area is None else data.area,
                data.residency or existing.residency,
            )
            before = (
                existing.building_id,
                existing.entrance,
                existing.room,
                existing.area,
                existing.residency,
            )
            if values != before:
                updates.append((*values, existing.id))
                changed.add(number)
        given = ("community_id", "building_id", "entrance", "room", "number", "area_m2")
        ids = bulk.Table(Unit, (*given, "residency"), self.now).insert(new_units, returning=True)
        for (_c, building_id, entrance, room, number, area, residency), pk in zip(
            new_units, ids, strict=True
        ):
            self.units[number] = _DbUnit(pk, building_id, entrance, room, area, residency)
            changed.add(number)
        bulk.update(Unit, ("building_id", "entrance", "room", "area_m2", "residency"), updates)
        self.units_created = len(new_units)
        self.units_updated = len(updates)
        return changed

    def _write_new_people(self) -> int:
        community = self.community
        self.person_ids: dict[_Token, int] = {t: t[1] for t in self.people if t[0] == "db"}
        keys_cache: dict[str, tuple[str, str]] = {}
        tokens: list[_Token] = []
        rows: list[tuple] = []
        for token, plan in self.people.items():
            if token[0] != "new":
                continue
            keys = keys_cache.get(plan.name)
            if keys is None:
                keys = keys_cache[plan.name] = name_keys(plan.name)
            tokens.append(token)
            rows.append(
                (
                    community.company_id,
                    community.office_id,
                    plan.name,
                    keys[0],
                    keys[1],
                    plan.birthday,
                )
            )
        given = ("company_id", "office_id", "name", "name_pinyin", "name_initials", "birthday")
        ids = bulk.Table(Person, given, self.now).insert(rows, returning=True)
        for token, pk in zip(tokens, ids, strict=True):
            self.person_ids[token] = pk
            self.changed_rows.update(r.row for r in self.people[token].rows)
        self.new_tokens = tokens
        return len(tokens)

    def _write_phones(self) -> int:
        """Phones of new people, in the sheet's order (the first preferred), and phones
        the sheet adds to people the company already had (after theirs)."""
        company_id = self.community.company_id
        rows: list[tuple] = []
        for token in self.new_tokens:
            person_id = self.person_ids[token]
            rows.extend(
                (person_id, company_id, number, i == 0, i)
                for i, number in enumerate(self.people[token].phones)
            )
        known = [t[1] for t, plan in self.people.items() if t[0] == "db" and plan.phones]
        old_phones: dict[int, list[str]] = defaultdict(list)
        last_position: dict[int, int] = {}
        for chunk in chunks(known):
            found = (
                PersonPhone.objects.filter(person_id__in=chunk)
                .order_by("person_id", "position", "id")
                .values_list("person_id", "number", "position")
            )
            for person_id, number, position in found:
                old_phones[person_id].append(number)
                last_position[person_id] = max(position, last_position.get(person_id, -1))
        self.updates: dict[int, dict[str, list]] = defaultdict(dict)  # person → changes
        added_count = 0
        for person_id in known:
            plan = self.people[("db", person_id)]
            old = old_phones.get(person_id, [])
            added = [n for n in plan.phones if n not in old]
            if not added:
                continue
            start = last_position.get(person_id, -1) + 1
            # Matched by a phone, so they have one already: the new ones are not preferred.
            rows.extend(
                (person_id, company_id, number, False, start + i) for i, number in enumerate(added)
            )
            added_count += len(added)
            self.updates[person_id]["phones"] = [
                [phones.mask(n) for n in old],
                [phones.mask(n) for n in old + added],
            ]
            self.changed_rows.update(r.row for r in plan.rows if set(added) & set(r.phones))
        given = ("person_id", "company_id", "number", "preferred", "position")
        bulk.Table(PersonPhone, given, self.now).insert(rows)
        return added_count

    def _write_links(self) -> int:
        """Link each row's person to its unit; a relation given in the sheet replaces the
        one on record, a blank one keeps it (and is 业主 for a new link)."""
        new_links: list[tuple] = []
        relation_updates: list[tuple] = []
        # People the company already had: (unit number, relation before, relation now).
        self.link_changes: dict[int, list[tuple[str, str | None, str]]] = defaultdict(list)
        for token, plan in self.people.items():
            person_id = self.person_ids[token]
            for r in plan.rows:
                unit_id = self.units[r.number].id
                existing = self.links.get((unit_id, person_id))
                if existing is None:
                    relation = r.relation or Relation.OWNER
                    new_links.append((unit_id, person_id, relation))
                elif r.relation and r.relation != existing[1]:
                    relation = r.relation
                    relation_updates.append((relation, existing[0]))
                else:
                    continue
                self.changed_rows.add(r.row)
                if token[0] == "db":
                    old = existing[1] if existing is not None else None
                    self.link_changes[person_id].append((r.number, old, relation))
        bulk.Table(UnitLink, ("unit_id", "person_id", "relation"), self.now).insert(new_links)
        bulk.update(UnitLink, ("relation",), relation_updates)
        return len(new_links)

    def _write_person_updates(self) -> None:
        """A birthday where none was known; `updated_at` of everyone the import changed."""
        known = [t[1] for t, plan in self.people.items() if t[0] == "db" and plan.birthday]
        birthdays: dict[int, date | None] = {}
        for chunk in chunks(known):
            birthdays.update(Person.objects.filter(id__in=chunk).values_list("id", "birthday"))
        with_birthday: list[tuple] = []
        for person_id in known:
            plan = self.people[("db", person_id)]
            if birthdays.get(person_id) is None:
                with_birthday.append((plan.birthday, self.now, person_id))
                self.updates[person_id]["birthday"] = [None, plan.birthday.isoformat()]
                self.changed_rows.add(plan.birthday_row)
        filled = {row[-1] for row in with_birthday}
        touched = [
            (self.now, person_id)
            for person_id in sorted(set(self.updates) | set(self.link_changes))
            if person_id not in filled
        ]
        bulk.update(Person, ("birthday", "updated_at"), with_birthday)
        bulk.update(Person, ("updated_at",), touched)

    def _write_events(self) -> None:
        """An "imported" event on the timeline of everyone created or changed."""
        note = _("Roster import into %(community)s") % {"community": self.community.name}
        events: list[tuple] = []
        for token in self.new_tokens:
            plan = self.people[token]
            changes: dict[str, list] = {
                "name": [None, plan.name],
                "phones": [None, [phones.mask(n) for n in plan.phones]],
                "units": [
                    None,
                    sorted(f"{r.number}:{r.relation or Relation.OWNER}" for r in plan.rows),
                ],
            }
            if plan.birthday is not None:
                changes["birthday"] = [None, plan.birthday.isoformat()]
            events.append(self._event(self.person_ids[token], changes, note))
        # People the company already had: their units everywhere, before and after. Read
        # after this import's links were written; undoing its changes gives "before".
        after: dict[int, list[str]] = defaultdict(list)
        for chunk in chunks(sorted(self.link_changes)):
            found = (
                UnitLink.objects.filter(person_id__in=chunk)
                .order_by("person_id", "id")
                .values_list("person_id", "unit__number", "relation")
            )
            for person_id, number, relation in found:
                after[person_id].append(f"{number}:{relation}")
        for person_id, changed_here in self.link_changes.items():
            before = list(after[person_id])
            for number, old, new in changed_here:
                before.remove(f"{number}:{new}")
                if old is not None:
                    before.append(f"{number}:{old}")
            self.updates[person_id]["units"] = [sorted(before), sorted(after[person_id])]
        for person_id, changes in self.updates.items():
            events.append(self._event(person_id, changes, note))
        given = ("person_id", "actor_id", "kind", "changes", "note")
        bulk.Table(PersonEvent, given, self.now).insert(events)

    def _event(self, person_id: int, changes: dict, note: str) -> tuple:
        return (person_id, self.actor.pk, PersonEvent.Kind.IMPORTED, changes, note)


def roster_import(*, community: Community, file, actor: User) -> RosterImportResult:
    """Import a roster sheet into `community`: every row or none.

    `file` is the .xlsx as bytes or a binary file (a Django UploadedFile). Raises
    NotAllowed unless the actor manages the community's estate; BadInput when the file
    is not a readable sheet, has no header row or lacks a required column;
    RosterInvalid listing every bad row. Importing the same sheet again changes nothing.
    """
    if not can(actor, "manage_estate", community):
        raise NotAllowed(_("You are not allowed to do this."))
    sheet = check_sheet(file)  # no database work while the sheet is read
    with transaction.atomic():
        # One import per community at a time (PostgreSQL; SQLite serialises writers).
        list(Community.objects.select_for_update().filter(pk=community.pk).values_list("id"))
        job = _Import(community=community, actor=actor, sheet=sheet)
        job.load()
        job.resolve()
        errors = sheet.errors + job.errors
        if errors:
            errors.sort(key=lambda e: e.row)  # stable: a row's errors stay in column order
            raise RosterInvalid(errors)
        return job.write()
