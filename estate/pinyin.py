"""Pinyin keys for finding people by name: 张三 → ('zhangsan', 'zs')."""

from pypinyin import Style, lazy_pinyin


def name_keys(name: str) -> tuple[str, str]:
    """Full pinyin and initials, lower-case, no tones or spaces.

    Polyphonic surnames follow pypinyin's phrase dictionary; characters that are
    not Chinese are kept as typed (lower-cased), so 'Anna李' → ('annali', 'annal').
    """
    name = "".join(name.split())
    full = lazy_pinyin(name, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(full).lower(), "".join(initials).lower()
