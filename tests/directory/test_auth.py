from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from tests.helpers import PASSWORD, build_county


class LoginTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_login_page_is_open_to_anonymous_visitors_in_chinese(self) -> None:
        response = self.client.get(reverse("login"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<html lang="zh-hans">')
        self.assertContains(response, 'name="username"')
        self.assertNotContains(response, 'class="site-nav"')

    def test_wrong_password_shows_an_error_beside_the_form(self) -> None:
        response = self.client.post(reverse("login"), {"username": "clerk", "password": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="error-box" role="alert"')
        self.assertFalse(response.wsgi_request.user.is_authenticated)

    def test_empty_field_shows_its_error_next_to_it(self) -> None:
        response = self.client.post(reverse("login"), {"username": "clerk", "password": ""})
        self.assertContains(response, 'id="id_password_error"')
        self.assertContains(response, 'aria-invalid="true"')

    def test_correct_password_lands_on_the_today_page(self) -> None:
        response = self.client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
        self.assertRedirects(response, reverse("today"))

    def test_login_returns_to_the_page_asked_for(self) -> None:
        response = self.client.post(
            reverse("login"), {"username": "clerk", "password": PASSWORD, "next": "/rules/"}
        )
        self.assertRedirects(response, "/rules/", fetch_redirect_response=False)

    def test_anonymous_visitor_is_sent_to_login_with_next(self) -> None:
        response = self.client.get("/households/")
        self.assertRedirects(
            response, "/accounts/login/?next=/households/", fetch_redirect_response=False
        )


class HeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_header_shows_name_unit_and_roles_of_the_user(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get(reverse("today"))
        self.assertContains(response, '<strong class="user-name">clerk</strong>')
        self.assertContains(response, "县信访局")

    def test_current_page_is_marked_in_the_navigation(self) -> None:
        self.client.force_login(self.c.admin)
        response = self.client.get(reverse("household-list"))
        self.assertContains(response, f'href="{reverse("household-list")}" aria-current="page">')
        # and its area too, so that a closed menu still shows where the page is
        self.assertContains(response, '<li class="nav-group current" data-group="directory">')

    def test_logout_is_a_post_and_returns_to_login(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        self.assertEqual(self.client.get(reverse("logout")).status_code, 405)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        self.assertRedirects(
            self.client.get(reverse("today")),
            "/accounts/login/?next=/",
            fetch_redirect_response=False,
        )

    def test_language_switch_changes_the_page_language(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertContains(self.client.get("/"), '<html lang="en">')

    def test_pages_load_only_vendored_assets(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        html = self.client.get(reverse("today")).content.decode()
        self.assertIn("/static/vendor/pico/pico.min.css", html)
        self.assertIn("/static/vendor/htmx/htmx.min.js", html)
        self.assertNotIn("//cdn", html)
        self.assertNotIn("https://", html)


class LanguageTests(TestCase):
    def test_the_interface_is_chinese_even_for_an_english_browser(self) -> None:
        response = self.client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(response, '<html lang="zh-hans">')

    def test_the_language_switch_chooses_english(self) -> None:
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        response = self.client.get(reverse("login"))
        self.assertContains(response, '<html lang="en">')

    def test_the_login_page_shows_the_product_name(self) -> None:
        from django.conf import settings

        self.assertContains(self.client.get(reverse("login")), settings.SITE_NAME)
