"""The Simplified Chinese catalogue is complete: every message translated, none fuzzy,
and the compiled file in step with it (a fresh machine has no gettext to compile)."""

from pathlib import Path

from django.conf import settings
from django.utils import translation

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text: str) -> list[str]:
    return [
        block
        for block in text.split("\n\n")
        if "\nmsgid " in f"\n{block}" and not block.startswith("#~")
    ]


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated, fuzzy = [], []
    for block in _entries(CATALOGUE.read_text())[1:]:  # the first is the header
        if "#, fuzzy" in block or ", fuzzy" in block.split("\nmsgid", 1)[0]:
            fuzzy.append(block)
        msgstrs = [line for line in block.splitlines() if line.startswith("msgstr")]
        body = block.split("\nmsgstr", 1)[1] if "\nmsgstr" in block else ""
        if (
            all(line.rstrip().endswith('""') for line in msgstrs)
            and '"' not in body.split("\n", 1)[-1]
        ):
            untranslated.append(block)
    assert not untranslated, untranslated[:5]
    assert not fuzzy, fuzzy[:5]


def test_compiled_catalogue_is_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Tickets") == "工单"
        assert translation.gettext("Return visits") != "Return visits"
