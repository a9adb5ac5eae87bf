"""Phone numbers: normalising what people type and masking what staff see."""

import re
import unicodedata

SEPARATORS = re.compile(r"[/、,，;；\n\r]+")
_NOISE = re.compile(r"[\s\-‐‑–—()（）.]")
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{9,11}$")


class InvalidPhone(ValueError):
    pass


def normalise(raw: str) -> str:
    """'+86 138-1234 5678' or full-width '１３８…' → '13812345678'.

    Accepts an 11-digit mobile or a landline with its area code (0xx…). Raises
    InvalidPhone with the reason otherwise.
    """
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = _NOISE.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    if not text.isdigit():
        raise InvalidPhone(f"not a phone number: {raw!r}")
    if MOBILE.match(text) or LANDLINE.match(text):
        return text
    raise InvalidPhone(f"not an 11-digit mobile or a landline with area code: {raw!r}")


def split(raw: str) -> list[str]:
    """Split a cell holding several phones ('138… / 139…', '、', '，', ';', new lines)."""
    return [p.strip() for p in SEPARATORS.split(str(raw or "")) if p.strip()]


def mask(number: str) -> str:
    """'13812345678' → '138****5678'; short numbers keep only their last two digits."""
    if len(number) >= 8:
        return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"
    return "*" * max(len(number) - 2, 0) + number[-2:]


def mask_id_number(value: str) -> str:
    """ID numbers show the first 3 and last 4 characters."""
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"
