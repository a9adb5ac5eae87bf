import factory
from factory.django import DjangoModelFactory

from estate.models import Building, Community, Person, PersonPhone, Unit, UnitLink
from estate.pinyin import name_keys
from org.tests.factories import OfficeFactory


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    office = factory.SubFactory(OfficeFactory)
    company = factory.SelfAttribute("office.company")
    code = factory.Sequence(lambda n: f"cm{n}")
    name = factory.Sequence(lambda n: f"翠湖花园{n}期")
    address = "测试市测试路1号"


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"{n + 1}号楼")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    community = factory.SelfAttribute("building.community")
    entrance = "1"
    room = factory.Sequence(lambda n: f"{100 + n}")
    number = factory.LazyAttribute(
        lambda o: f"{o.building.name.removesuffix('号楼')}-{o.entrance}-{o.room}"
    )
    area_m2 = 89


class PersonFactory(DjangoModelFactory):
    """A person; `phones=["138…"]` and `units=[unit, …]` (as owner) are shortcuts."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    company = factory.LazyAttribute(lambda o: o.office.company)
    office = factory.SubFactory(OfficeFactory)
    name = "张三"
    name_pinyin = factory.LazyAttribute(lambda o: name_keys(o.name)[0])
    name_initials = factory.LazyAttribute(lambda o: name_keys(o.name)[1])

    @factory.post_generation
    def phones(self, create, extracted, **kwargs):
        for i, number in enumerate(extracted or []):
            PersonPhone.objects.create(
                person=self, company=self.company, number=number, preferred=(i == 0), position=i
            )

    @factory.post_generation
    def units(self, create, extracted, **kwargs):
        for unit in extracted or []:
            UnitLink.objects.create(person=self, unit=unit, relation="owner")
