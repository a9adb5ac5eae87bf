import pytest

from core import phones


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("010-12345678", "01012345678"),
        ("0755 8888 6666", "075588886666"),
    ],
)
def test_normalise_accepts_what_people_type(raw, expected):
    assert phones.normalise(raw) == expected


@pytest.mark.parametrize("raw", ["1381234567", "23812345678", "138123456789", "abc", "", "12345"])
def test_normalise_rejects_malformed(raw):
    with pytest.raises(phones.InvalidPhone):
        phones.normalise(raw)


def test_split_on_every_separator():
    cell = "13812345678/13912345678、13712345678,13612345678，13512345678;13412345678\n13312345678"
    assert len(phones.split(cell)) == 7


def test_mask():
    assert phones.mask("13812345678") == "138****5678"
    assert phones.mask_id_number("110101199001011234") == "110***********1234"
