"""Transport and browser security: `check --deploy` is clean with the README's production
environment, HTTPS redirect and HSTS follow the environment, and every HTML page carries a strict
Content-Security-Policy that the templates can live with (no inline script, style or handler)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase, TestCase

from tests.helpers import build_county

BASE = Path(settings.BASE_DIR)
#: templates rendered only into PDFs by WeasyPrint, never sent to a browser
PDF_ONLY = {"assistance/card_pdf.html", "petitions/appeals/bulletin_pdf.html"}


def production_environment() -> dict[str, str]:
    """The variables of the README's production environment file (Deployment)."""
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n\s*(# /etc/minqing/minqing\.env.*?)```", readme, re.S)
    assert block, "the README's Deployment section shows the production environment file"
    values = {}
    for line in (raw.strip() for raw in block.group(1).splitlines()):
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


class DeployCheckTests(SimpleTestCase):
    def run_check(self, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
        with tempfile.TemporaryDirectory() as data:
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": data,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                **environment,
                # where this test may write: the machine's folders are not ours
                "DATA_DIR": data,
                "STATIC_ROOT": str(Path(data) / "static"),
                "MEDIA_ROOT": str(Path(data) / "media"),
            }
            return subprocess.run(
                [sys.executable, "manage.py", "check", "--deploy"],
                cwd=BASE,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )

    def test_the_readme_production_environment_passes_check_deploy_without_a_warning(
        self,
    ) -> None:
        environment = production_environment()
        for name in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "SECURE_COOKIES",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
        ):
            self.assertIn(name, environment)
        # the README shows how to make a key; the check needs a real one
        environment["SECRET_KEY"] = secrets.token_urlsafe(50)
        done = self.run_check(environment)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(
            (done.stdout + done.stderr).strip(), "System check identified no issues (0 silenced)."
        )

    def test_without_it_check_deploy_names_what_is_missing(self) -> None:
        done = self.run_check({})
        output = done.stdout + done.stderr
        for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
            self.assertIn(warning, output)


class HttpsSettingsTests(SimpleTestCase):
    def test_the_settings_follow_the_environment(self) -> None:
        code = (
            "from django.conf import settings as s;"
            "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
            " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
        )
        with tempfile.TemporaryDirectory() as data:
            env = {
                "PATH": os.environ.get("PATH", ""),
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATA_DIR": data,
                "SECURE_SSL_REDIRECT": "1",
                "SECURE_HSTS_SECONDS": "600",
                "SECURE_HSTS_INCLUDE_SUBDOMAINS": "yes",
            }
            done = subprocess.run(
                [sys.executable, "-c", f"import django; django.setup(); {code}"],
                cwd=BASE,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
        self.assertEqual(done.stdout.split(), ["True", "600", "True", "False"])


class ContentSecurityPolicyTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_every_html_page_carries_a_strict_policy(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        for url in ("/", "/petitions/", "/accounts/login/", "/public/petitions/appeals/new/"):
            policy = self.client.get(url)["Content-Security-Policy"]
            self.assertIn("default-src 'self'", policy, url)
            self.assertIn("script-src 'self'", policy, url)
            self.assertIn("frame-ancestors 'none'", policy, url)
            self.assertNotIn("unsafe-inline", policy, url)
            self.assertNotIn("unsafe-eval", policy, url)

    def test_a_file_download_carries_none(self) -> None:
        self.client.force_login(self.c.petition_clerk)
        response = self.client.get("/petitions/export.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Content-Security-Policy", response)


class TemplatesWithoutInlineCodeTests(SimpleTestCase):
    INLINE = (
        (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
        (re.compile(r"<style\b", re.I), "a <style> element"),
        (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
        (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
        (re.compile(r"javascript:", re.I), "a javascript: URL"),
    )

    def test_no_template_sent_to_a_browser_holds_inline_script_or_style(self) -> None:
        found = []
        roots = [BASE / "templates", *BASE.glob("*/templates")]
        for root in roots:
            for path in root.rglob("*.html"):
                name = str(path.relative_to(root))
                if name in PDF_ONLY or name.startswith("reports/pdf/"):
                    continue
                text = path.read_text(encoding="utf-8")
                found += [
                    f"{name}: {what}" for pattern, what in self.INLINE if pattern.search(text)
                ]
        self.assertEqual(found, [])
