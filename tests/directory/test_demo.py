from __future__ import annotations

import datetime as dt
import re
from io import StringIO

from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase, override_settings
from django.urls import reverse

from directory.demo import DEMO_PASSWORD, format_table
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


#: the demo is built relative to "today"; the tests fix it (the product runs on any day)
TODAY = dt.date(2026, 6, 17)


@override_settings(FROZEN_TODAY=TODAY)
class DemoCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        with override_settings(FROZEN_TODAY=TODAY):
            cls.output = run_demo()

    def test_second_run_changes_nothing(self) -> None:
        before = counts()
        output = run_demo()
        self.assertEqual(counts(), before)
        self.assertIn("账号 +0", output)  # the summary names what it counted in Chinese

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

    # --- a working county: most work on time, a handful due this week, a few overdue ----------

    def overdue_on_today_page(self, username: str) -> list[object]:
        self.client.force_login(User.objects.get(username=username))
        response = self.client.get(reverse("today"))
        self.assertEqual(response.status_code, 200)
        panel = next(p for p in response.context["panels"] if p["name"] == "deadlines")
        return [r for r in panel["context"]["rows"] if r.overdue]

    def test_the_petition_office_today_page_shows_fewer_than_ten_overdue_items(self) -> None:
        from rules.models import Clock

        user = User.objects.get(username="xinfang")
        overdue = Clock.objects.open().visible_to(user).filter(due__lt=TODAY)
        due_this_week = (
            Clock.objects.open()
            .visible_to(user)
            .filter(due__gte=TODAY, due__lte=TODAY + dt.timedelta(days=7))
        )
        self.assertLess(overdue.count(), 10)
        self.assertGreater(overdue.count(), 0)  # a few, not none: the page shows what is late
        self.assertGreater(due_this_week.count(), 2)
        self.assertLess(len(self.overdue_on_today_page("xinfang")), 10)

    def test_most_finished_work_was_on_time(self) -> None:
        from rules.models import Clock, ClockState

        done = Clock.objects.filter(state=ClockState.DONE)
        late = done.filter(on_time=False).count()
        self.assertGreater(done.count(), 200)
        self.assertLess(late, done.count() * 0.15)  # a few late answers, in the history

    def test_both_leader_accounts_have_paired_households_and_visits(self) -> None:
        from assistance.models import Pairing
        from visits.models import Visit

        for username in ("lingdao", "shuji"):
            person = User.objects.get(username=username).person
            self.assertTrue(Pairing.objects.filter(person=person).exists(), username)
            self.assertTrue(Visit.objects.filter(people=person).exists(), username)

    def test_no_household_is_paired_twice_with_one_person(self) -> None:
        from assistance.models import Pairing

        twice = (
            Pairing.objects.values("person", "household").annotate(n=Count("pk")).filter(n__gt=1)
        )
        self.assertEqual(list(twice), [])

    def test_every_role_has_something_on_its_today_page(self) -> None:
        for username in ("xinfang", "chengguan", "shiqiao", "lingdao", "shuji", "ducha"):
            self.client.force_login(User.objects.get(username=username))
            response = self.client.get(reverse("today"))
            self.assertTrue(
                any(p["context"] for p in response.context["panels"]), f"{username}: nothing"
            )

    def test_demo_records_follow_the_numbering_scheme(self) -> None:
        from petitions.models import Appeal, Petition
        from proposals.models import Proposal

        for model, kind, digits in (
            (Petition, "XF", 6),
            (Appeal, "WS", 6),
            (Proposal, "(JY|TA)", 4),
        ):
            refs = list(model.objects.values_list("ref", flat=True))
            self.assertTrue(refs, model.__name__)
            pattern = re.compile(rf"^QHX-{kind}-20\d\d-\d{{{digits}}}$")
            self.assertEqual([r for r in refs if not pattern.match(r)], [], model.__name__)


class FormatTableTests(TestCase):
    def test_columns_line_up_with_chinese_text(self) -> None:
        table = format_table(("a", "b"), [("县信访局", "x"), ("abc", "y")])
        lines = table.splitlines()
        self.assertEqual(lines[0], "a         b")
        self.assertEqual(lines[2], "县信访局  x")
        self.assertEqual(lines[3], "abc       y")
