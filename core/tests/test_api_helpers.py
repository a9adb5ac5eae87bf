import pytest

from core.api import visible_or_404
from core.errors import NotFound
from org.models import Office

pytestmark = pytest.mark.django_db


def test_visible_or_404_returns_the_object(office):
    assert visible_or_404(Office.objects.all(), office.id, label="Office") == office


def test_visible_or_404_no_id_is_none():
    assert visible_or_404(Office.objects.all(), None, label="Office", field="office") is None


def test_visible_or_404_outside_the_queryset_names_the_field(office, other_office):
    scoped = Office.objects.filter(id=office.id)
    with pytest.raises(NotFound) as exc:
        visible_or_404(scoped, other_office.id, label="Office", field="office")
    assert exc.value.status == 404
    assert exc.value.message == "Office not found."
    assert exc.value.fields == {"office": ["Not found."]}


def test_visible_or_404_path_id_names_no_field():
    with pytest.raises(NotFound) as exc:
        visible_or_404(Office.objects.none(), 1, label="Staff member")
    assert exc.value.message == "Staff member not found."
    assert exc.value.fields == {}
