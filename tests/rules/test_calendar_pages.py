"""The calendar pages, the "today" warning, the navigation entry and the computation tag."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from directory import navigation
from directory.today import panels_for
from rules.forms_calendar import format_schedule, parse_schedule
from rules.models import CalendarDay, CalendarSource, CalendarYear
from rules.today_panels import missing_next_year_warning, warning_year
from rules.workdays import explain_due
from tests.helpers import build_county

D = dt.date

GOOD_2027 = {
    "year": "2027",
    "holidays": "2027-01-01..2027-01-03 元旦\n2027-02-06 至 2027-02-12 春节；2027-04-05 清明节",
    "workdays": "2027-02-20 春节",
    "note": "测试用",
}


class CalendarPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()


class PermissionTests(CalendarPageTestCase):
    def test_anonymous_is_sent_to_login(self) -> None:
        response = self.client.get(reverse("calendar-list"))
        self.assertRedirects(
            response,
            f"{reverse('login')}?next={reverse('calendar-list')}",
            fetch_redirect_response=False,
        )

    def test_unit_staff_gets_403_on_edit(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        self.assertEqual(
            self.client.get(reverse("calendar-year-edit", args=[2026])).status_code, 403
        )
        self.assertEqual(self.client.get(reverse("calendar-year-new")).status_code, 403)

    def test_unit_staff_posting_a_year_gets_403_and_changes_nothing(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.post(reverse("calendar-year-new"), GOOD_2027)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())

    def test_unit_staff_may_read_the_calendar_without_edit_links(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        response = self.client.get(reverse("calendar-year", args=[2026]))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, reverse("calendar-year-edit", args=[2026]))

    def test_admin_gets_the_edit_page(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.get(reverse("calendar-year-edit", args=[2026]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2026-10-01..2026-10-07 国庆节")
        self.assertContains(response, "2026-10-10 国庆节")

    def test_an_unknown_year_page_is_404(self) -> None:
        self.client.force_login(self.c.admin)
        self.assertEqual(self.client.get(reverse("calendar-year", args=[2031])).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("calendar-year-edit", args=[2031])).status_code, 404
        )


class ListPageTests(CalendarPageTestCase):
    def test_year_list_shows_every_year_in_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.c.admin)
        # session, user, the user's unit (page header), the years, and the day counts of all
        # years in one grouped query: five, however many years the calendar knows
        with self.assertNumQueries(5):
            response = self.client.get(reverse("calendar-list"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, reverse("calendar-year", args=[2004]))
        self.assertContains(response, reverse("calendar-year", args=[2026]))

    def test_missing_next_year_is_announced_on_the_list(self) -> None:
        # Whatever the day the suite runs, remove next year so that it is missing.
        next_year = timezone.localdate().year + 1
        CalendarYear.objects.filter(year=next_year).delete()
        self.client.force_login(self.c.admin)
        response = self.client.get(reverse("calendar-list"))
        self.assertContains(response, f"?year={next_year}")


class YearPageTests(CalendarPageTestCase):
    def test_year_page_lists_holidays_and_adjusted_days(self) -> None:
        self.client.force_login(self.c.admin)
        with translation.override("zh-hans"):
            response = self.client.get(
                reverse("calendar-year", args=[2026]), HTTP_ACCEPT_LANGUAGE="zh-hans"
            )
        self.assertContains(response, "国庆节")
        self.assertContains(response, "10月10日")
        self.assertContains(response, reverse("calendar-day-edit", args=[2026]))

    def test_year_page_runs_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.c.admin)
        # session, user, the user's unit (page header), the year, its days, its recent
        # history with the users who made it (one join)
        with self.assertNumQueries(6):
            self.client.get(reverse("calendar-year", args=[2026]))

    def test_admin_changes_one_day(self) -> None:
        self.client.force_login(self.c.admin)
        url = reverse("calendar-day-edit", args=[2026])
        response = self.client.post(url, {"date": "2026-12-31", "kind": "holiday", "name": "测试"})
        self.assertRedirects(response, reverse("calendar-year", args=[2026]))
        self.assertEqual(CalendarDay.objects.get(date=D(2026, 12, 31)).name, "测试")

    def test_a_weekday_cannot_become_an_adjusted_working_day(self) -> None:
        self.client.force_login(self.c.admin)
        url = reverse("calendar-day-edit", args=[2026])
        response = self.client.post(url, {"date": "2026-12-30", "kind": "workday", "name": ""})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist")
        self.assertFalse(CalendarDay.objects.filter(date=D(2026, 12, 30)).exists())

    def test_unit_staff_cannot_change_a_day(self) -> None:
        self.client.force_login(self.c.qingshan_staff)
        url = reverse("calendar-day-edit", args=[2026])
        response = self.client.post(url, {"date": "2026-12-31", "kind": "holiday", "name": "x"})
        self.assertEqual(response.status_code, 403)


class YearFormTests(CalendarPageTestCase):
    def setUp(self) -> None:
        self.client.force_login(self.c.admin)

    def _post_new(self, **changes: str):
        with translation.override("en"):
            return self.client.post(
                reverse("calendar-year-new"), {**GOOD_2027, **changes}, HTTP_ACCEPT_LANGUAGE="en"
            )

    def test_a_good_schedule_creates_the_year(self) -> None:
        response = self._post_new()
        self.assertRedirects(response, reverse("calendar-year", args=[2027]))
        year = CalendarYear.objects.get(year=2027)
        self.assertEqual(year.source, CalendarSource.ADMIN)
        self.assertEqual(year.note, "测试用")
        self.assertEqual(CalendarDay.objects.filter(year=2027, kind="holiday").count(), 11)
        self.assertEqual(CalendarDay.objects.get(date=D(2027, 2, 20)).kind, "workday")

    def test_a_date_in_another_year_changes_nothing_and_says_why(self) -> None:
        response = self._post_new(holidays="2026-12-31 元旦\n2027-01-01 元旦")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "不在2027年内")
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())
        self.assertFalse(CalendarDay.objects.filter(year=2027).exists())

    def test_an_unreadable_line_is_quoted_in_the_error(self) -> None:
        response = self._post_new(holidays="2027-01-01 元旦\n一月一日 元旦")
        self.assertContains(response, "一月一日 元旦")
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())

    def test_a_weekday_listed_as_working_day_is_refused(self) -> None:
        response = self._post_new(workdays="2027-02-22 春节")  # a Monday
        self.assertContains(response, "调休上班日必须是星期六或星期日")
        self.assertFalse(CalendarYear.objects.filter(year=2027).exists())

    def test_parse_errors_and_schedule_errors_show_in_one_round(self) -> None:
        response = self._post_new(holidays="2027-01-01 元旦\n一月 元旦", workdays="2027-01-01 元旦")
        self.assertContains(response, "不是日期或日期区间")
        self.assertContains(response, "不能既是放假日又是调休上班日")

    def test_an_impossible_date_is_refused(self) -> None:
        response = self._post_new(holidays="2027-02-30 春节")
        self.assertContains(response, "不是有效日期")

    def test_a_known_year_cannot_be_entered_again_as_new(self) -> None:
        response = self._post_new(year="2026", holidays="2026-01-01 元旦", workdays="")
        self.assertContains(response, "工作日历中已有2026年")
        self.assertEqual(CalendarYear.objects.get(year=2026).source, CalendarSource.PACKAGE)

    def test_replacing_a_known_year_keeps_only_the_posted_days(self) -> None:
        response = self.client.post(
            reverse("calendar-year-edit", args=[2026]),
            {
                "holidays": "2026-10-01..2026-10-07 国庆节",
                "workdays": "2026-10-10 国庆节",
                "note": "",
            },
        )
        self.assertRedirects(response, reverse("calendar-year", args=[2026]))
        self.assertEqual(CalendarDay.objects.filter(year=2026).count(), 8)
        self.assertEqual(CalendarYear.objects.get(year=2026).source, CalendarSource.ADMIN)

    def test_new_form_takes_the_year_from_the_link(self) -> None:
        response = self.client.get(reverse("calendar-year-new") + "?year=2027")
        self.assertContains(response, 'value="2027"')


class ScheduleParsingTests(TestCase):
    def test_ranges_with_various_separators_and_full_width_characters(self) -> None:
        text = (
            "２０２７－０１－０１～２０２７－０１－０３\u3000元旦；2027年2月6日至2027年2月7日 春节"
        )
        days, errors = parse_schedule(text)
        self.assertEqual(errors, [])
        self.assertEqual(
            days,
            {
                D(2027, 1, 1): "元旦",
                D(2027, 1, 2): "元旦",
                D(2027, 1, 3): "元旦",
                D(2027, 2, 6): "春节",
                D(2027, 2, 7): "春节",
            },
        )

    def test_a_backwards_range_and_a_duplicate_are_errors(self) -> None:
        _days, errors = parse_schedule(
            "2027-01-03..2027-01-01 元旦\n2027-05-01 劳动节\n2027-05-01 x"
        )
        self.assertEqual(len(errors), 2)

    def test_format_is_the_inverse_of_parse(self) -> None:
        days = {D(2027, 1, 1): "元旦", D(2027, 1, 2): "元旦", D(2027, 1, 4): "元旦"}
        self.assertEqual(format_schedule(days), "2027-01-01..2027-01-02 元旦\n2027-01-04 元旦")
        self.assertEqual(parse_schedule(format_schedule(days)), (days, []))


class TodayWarningTests(CalendarPageTestCase):
    def test_no_warning_before_november(self) -> None:
        self.assertIsNone(missing_next_year_warning(D(2026, 10, 31)))

    def test_from_1_november_without_next_year_warns(self) -> None:
        # the State Council usually publishes the next year's schedule in November
        self.assertEqual(missing_next_year_warning(D(2026, 11, 1)), 2027)
        self.assertEqual(missing_next_year_warning(D(2026, 11, 22)), 2027)

    def test_december_without_next_year_warns(self) -> None:
        self.assertEqual(missing_next_year_warning(D(2026, 12, 1)), 2027)

    def test_january_of_an_unknown_year_warns_about_the_current_year(self) -> None:
        self.assertEqual(missing_next_year_warning(D(2027, 1, 4)), 2027)

    def test_no_warning_once_next_year_is_entered(self) -> None:
        self.assertIsNone(warning_year(D(2026, 12, 1), {2026, 2027}))

    def test_admin_sees_the_panel_and_unit_staff_does_not(self) -> None:
        import rules.today_panels  # noqa: F401  (registers the panel, as RulesConfig.ready does)

        request = RequestFactory().get("/")
        request.user = self.c.admin
        names = [panel["name"] for panel in panels_for(request, D(2026, 12, 1))]
        self.assertIn("calendar-missing-year", names)
        request.user = self.c.qingshan_staff
        names = [panel["name"] for panel in panels_for(request, D(2026, 12, 1))]
        self.assertNotIn("calendar-missing-year", names)

    def test_panel_links_to_entering_the_year(self) -> None:
        import rules.today_panels  # noqa: F401

        request = RequestFactory().get("/")
        request.user = self.c.admin
        panel = next(
            p for p in panels_for(request, D(2026, 12, 1)) if p["name"] == "calendar-missing-year"
        )
        html = render_to_string(panel["template"], panel["context"])
        self.assertIn(f"{reverse('calendar-year-new')}?year=2027", html)
        self.assertIn("2027", html)

    def test_navigation_shows_the_calendar_to_admins_only(self) -> None:
        import rules.today_panels  # noqa: F401

        self.assertIn("calendar-list", [i["name"] for i in navigation.items_for(self.c.admin)])
        self.assertNotIn(
            "calendar-list", [i["name"] for i in navigation.items_for(self.c.qingshan_staff)]
        )


class ComputationTagTests(TestCase):
    def test_tag_renders_the_computation_as_a_list(self) -> None:
        computation = explain_due(D(2026, 9, 30), 1, "workdays").computation
        template = Template("{% load clocks %}{% computation c %}")
        with translation.override("zh-hans"):
            html = template.render(Context({"c": computation}))
        self.assertIn('<ul class="computation">', html)
        self.assertIn("2026年10月8日", html)

    def test_tag_renders_nothing_for_an_empty_computation(self) -> None:
        html = Template("{% load clocks %}{% computation c %}").render(Context({"c": None}))
        self.assertEqual(html.strip(), "")
