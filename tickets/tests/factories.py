import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from estate.tests.factories import CommunityFactory
from tickets.models import Ticket


class TicketFactory(DjangoModelFactory):
    """A ticket in any state, written directly (bypassing routing) for state-machine tests."""

    class Meta:
        model = Ticket

    community = factory.SubFactory(CommunityFactory)
    office = factory.SelfAttribute("community.office")
    company = factory.SelfAttribute("community.company")
    number = factory.Sequence(lambda n: f"T-{n:06d}")
    kind = "repair"
    channel = "hotline"
    category = "water"
    title = "厨房水管漏水"
    received_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=2))
    due_at = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(hours=22))
