import factory
from factory.django import DjangoModelFactory

from org.models import Company, Department, Office, User

PASSWORD = "ownerdesk-test-pw"


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"co{n}")
    name = factory.Sequence(lambda n: f"测试物业公司{n}")


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = Office

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"of{n}")
    name = factory.Sequence(lambda n: f"第{n}物业服务处")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    office = factory.SubFactory(OfficeFactory)
    kind = Department.Kind.CUSTOMER_SERVICE
    name = factory.Sequence(lambda n: f"部门{n}")


class UserFactory(DjangoModelFactory):
    """A staff member. `offices=[...]`, `departments=[...]` set the memberships."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"员工{n}")
    company = factory.SubFactory(CompanyFactory)
    roles = factory.LazyFunction(lambda: ["staff"])
    is_staff = factory.LazyAttribute(lambda o: "company_admin" in o.roles)  # as staff_create does
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def offices(self, create, extracted, **kwargs):
        if create and extracted:
            self.offices.set(extracted)

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.set(extracted)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
