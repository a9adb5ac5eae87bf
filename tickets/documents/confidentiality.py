"""What people outside the office may learn about a complainant.

Courts have held property companies liable when a complaint forwarded to the other side
(or to a contractor) exposed who made it. So every document that leaves the office asks
`complainant_view` what to print: the office sees the complainant in full; the other side
of a dispute, contractors and anyone outside see neither name, unit number nor phone —
only the community and building — unless the complainant agreed
(`ticket.complainant_consent`). Free text written by the desk (titles, descriptions,
progress notes) goes through `redact` before it leaves, since agents often type
"3-2-301张先生反映……".
"""

import re
from enum import StrEnum

from core import phones
from estate.models import Person, Unit
from tickets.models import Ticket, TicketParty


class Audience(StrEnum):
    OFFICE = "office"  # the office's own staff and internal copies
    OTHER_SIDE = "other_side"  # the respondent of a dispute between owners
    CONTRACTOR = "contractor"  # the engineering/contractor copy of a liaison form
    OUTSIDE = "outside"  # anyone else: developer, residents' committee, the public


WITHHELD_NAME = "业主（应本人要求不公开）"
WITHHELD_UNIT = "具体房号由客服中心陪同告知"
WITHHELD_TEXT = "[已隐去]"
WITHHELD_ROOM = "[房号不公开]"
# How an agent writes about someone by surname: 张先生, 李女士, 王阿姨 …
_ADDRESS_FORMS = "先生|女士|小姐|太太|阿姨|叔叔|大爷|大妈|奶奶|爷爷|老师|师傅|姐|哥|总|工"
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)")
_MASKED_PHONE = re.compile(r"(?<!\d)1\d{2}\*{4}\d{4}(?!\d)")


def _complainant(ticket: Ticket) -> tuple[Person | None, Unit | None]:
    """The complainant: a dispute's complainant party, else the ticket's person/unit."""
    for party in ticket.parties.all():
        if party.side == TicketParty.Side.COMPLAINANT and (party.person or party.unit):
            return party.person or ticket.person, party.unit or ticket.unit
    return ticket.person, ticket.unit


def _phone_numbers(person: Person | None) -> list[str]:
    if person is None:
        return []
    return [p.number for p in person.phones.all()]


def disclosed(ticket: Ticket, audience: str) -> bool:
    """Whether `audience` may see who the complainant is."""
    return Audience(audience) == Audience.OFFICE or bool(ticket.complainant_consent)


def complainant_view(ticket: Ticket, *, audience: str) -> dict:
    """What `audience` may see of the complainant of `ticket`.

    Returns {"disclosed", "name", "unit", "phone", "phone_masked", "community",
    "building", "location"}: without disclosure, "name" is the neutral WITHHELD_NAME,
    "unit" and both phones are empty, and "location" names the community and building
    only, adding that the service centre will show the way to the home.
    """
    shown = disclosed(ticket, audience)
    person, unit = _complainant(ticket)
    numbers = _phone_numbers(person)
    building = unit.building.name if unit is not None and unit.building_id else ""
    community = ticket.community.name
    if shown:
        place = " ".join(p for p in (community, building, unit.number if unit else "") if p)
        return {
            "disclosed": True,
            "name": person.name if person else "",
            "unit": unit.number if unit else "",
            "phone": numbers[0] if numbers else "",
            "phone_masked": phones.mask(numbers[0]) if numbers else "",
            "community": community,
            "building": building,
            "location": place,
        }
    place = " ".join(p for p in (community, building) if p)
    if unit is not None:
        place = f"{place}（{WITHHELD_UNIT}）"
    return {
        "disclosed": False,
        "name": WITHHELD_NAME if (person or unit) else "",
        "unit": "",
        "phone": "",
        "phone_masked": "",
        "community": community,
        "building": building,
        "location": place,
    }


def redact(text: str, ticket: Ticket, *, audience: str) -> str:
    """`text` with the complainant's identity taken out, unless `audience` may see it:
    their name and surname forms (张先生), how they like to be addressed, their phones
    (and anything that looks like a phone), their unit number and room."""
    if not text or disclosed(ticket, audience):
        return text or ""
    person, unit = _complainant(ticket)
    people = [p for p in (person, ticket.person) if p is not None]
    for party in ticket.parties.all():
        if party.side == TicketParty.Side.COMPLAINANT and party.person is not None:
            people.append(party.person)
    units = [u for u in (unit, ticket.unit) if u is not None]
    for p in people:
        for number in _phone_numbers(p):
            text = text.replace(number, WITHHELD_TEXT)
        for alias in sorted({p.name, p.address_as} - {""}, key=len, reverse=True):
            text = text.replace(alias, "业主")
        if p.name:
            text = re.sub(rf"{re.escape(p.name[0])}(?:{_ADDRESS_FORMS})", "业主", text)
    text = re.sub("(?:业主)+", "业主", text)  # "业主张先生" → "业主", not "业主业主"
    text = _MOBILE.sub(WITHHELD_TEXT, text)
    text = _LANDLINE.sub(WITHHELD_TEXT, text)
    text = _MASKED_PHONE.sub(WITHHELD_TEXT, text)
    for u in units:
        variants = {u.number}
        if u.room:
            if u.building_id and u.entrance:
                b = u.building.name
                variants |= {f"{b}{u.entrance}单元{u.room}", f"{b}{u.entrance}-{u.room}"}
            variants |= {f"{u.room}室", f"{u.room}号"}
        for v in sorted(variants, key=len, reverse=True):
            text = text.replace(v, WITHHELD_ROOM)
        if u.room and len(u.room) >= 3:
            text = re.sub(rf"(?<![\d-]){re.escape(u.room)}(?!\d)", WITHHELD_ROOM, text)
    return text
