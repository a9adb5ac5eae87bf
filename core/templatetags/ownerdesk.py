"""Template helpers of the staff UI."""

from django import template

from core import phones

register = template.Library()


@register.filter
def mask_phone(number: str) -> str:
    """Phones are shown masked unless the page was asked to reveal them (and logged it)."""
    return phones.mask(number)
