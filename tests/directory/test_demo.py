from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from directory.management.commands.demo import DEMO_PASSWORD, format_table
from directory.models import Household, Link, OrgUnit, Person, Post, Rank, Role, User


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (OrgUnit, Person, Link, Household, User)
    result = {model.__name__: model.all_objects.count() for model in models[:-1]}
    result["User"] = User.objects.count()
    for model in models:
        result[f"{model.__name__} history"] = model.history.count()
    return result


class DemoCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = run_demo()

    def test_second_run_changes_nothing(self) -> None:
        before = counts()
        output = run_demo()
        self.assertEqual(counts(), before)
        self.assertIn("accounts +0", output)

    def test_county_has_two_townships_villages_groups_and_departments(self) -> None:
        county = OrgUnit.objects.get(kind="county")
        self.assertEqual(county.name, "清河县")
        townships = list(OrgUnit.objects.townships().values_list("name", flat=True))
        self.assertEqual(len(townships), 2)
        self.assertTrue(any(name.endswith("镇") for name in townships))
        self.assertTrue(any(name.endswith("乡") for name in townships))
        self.assertIn(OrgUnit.objects.villages().count(), (3, 4))
        for village in OrgUnit.objects.villages():
            self.assertTrue(village.children.filter(kind="group").exists(), village.name)
        departments = set(OrgUnit.objects.of_kind("department").values_list("name", flat=True))
        self.assertLessEqual({"县信访局", "县委督查室", "县教育局", "县住建局"}, departments)

    def test_people_hold_every_post_of_a_county_and_every_rank(self) -> None:
        posts = {post for person in Person.objects.all() for post in person.post_list}
        # the demo is a county: nobody holds a city post
        city = {Post.CITY_SECRETARY, Post.CITY_LEADER, Post.CITY_UNIT_HEAD}
        self.assertEqual(posts, set(Post.values) - city)
        self.assertEqual(set(Person.objects.values_list("rank", flat=True)), set(Rank.values))

    def test_leaders_are_linked_to_townships_and_villages(self) -> None:
        for leader in Person.objects.with_post("county_leader"):
            self.assertTrue(leader.links.filter(kind="linked_township").exists(), leader.name)
        for leader in Person.objects.with_post("township_secretary", "township_head"):
            self.assertTrue(leader.links.filter(kind="linked_village").exists(), leader.name)
        self.assertTrue(Link.objects.filter(kind="contact_point").exists())

    def test_households_spread_over_villages_groups_and_categories(self) -> None:
        self.assertGreaterEqual(Household.objects.count(), 40)
        self.assertFalse(Household.objects.filter(group__isnull=True).exists())
        villages = set(Household.objects.values_list("village", flat=True))
        self.assertEqual(villages, set(OrgUnit.objects.villages().values_list("pk", flat=True)))
        for category in ("party_member", "monitored", "alleviated", "urban_hardship"):
            self.assertTrue(Household.objects.in_category(category).exists(), category)

    def test_there_is_an_account_for_every_role_and_it_logs_in(self) -> None:
        roles = {role for user in User.objects.all() for role in user.role_list}
        self.assertEqual(roles, set(Role.values))
        for user in User.objects.all():
            self.assertTrue(
                self.client.login(username=user.username, password=DEMO_PASSWORD), user.username
            )
            self.assertIn(user.username, self.output)

    def test_administrator_is_a_superuser_and_a_leader_acts_as_a_county_leader(self) -> None:
        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_superuser and admin.is_staff)
        leader = User.objects.filter(roles__contains=Role.LEADER, unit__kind="county").get()
        self.assertTrue(leader.person.has_post("county_leader"))

    def test_output_lists_the_logins_and_where_to_open(self) -> None:
        self.assertIn(DEMO_PASSWORD, self.output)
        self.assertIn("http://127.0.0.1:8000/", self.output)


class FormatTableTests(TestCase):
    def test_columns_line_up_with_chinese_text(self) -> None:
        table = format_table(("a", "b"), [("县信访局", "x"), ("abc", "y")])
        lines = table.splitlines()
        self.assertEqual(lines[0], "a         b")
        self.assertEqual(lines[2], "县信访局  x")
        self.assertEqual(lines[3], "abc       y")
