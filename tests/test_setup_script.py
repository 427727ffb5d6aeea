"""scripts/_setup.sh finds the libraries that are installed, also under `set -o pipefail`
(the start-up warning "could not install libharfbuzz-subset0" came for a library that was
there), and warns only about what is still missing after an installation attempt."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

SETUP = Path(settings.BASE_DIR) / "scripts" / "_setup.sh"


def bash(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"set -euo pipefail; source {SETUP}; {script}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class SetupScriptTests(SimpleTestCase):
    def test_a_library_in_the_linker_cache_is_found_every_time(self) -> None:
        # libc is listed early in a long cache: grep stopping early would kill ldconfig
        # with SIGPIPE and pipefail would report the library missing
        for _ in range(20):
            self.assertEqual(bash("has_lib libc.so.6").returncode, 0)

    def test_a_missing_library_is_missing(self) -> None:
        self.assertNotEqual(bash("has_lib libnothing-here.so.9").returncode, 0)
        result = bash("has_package_lib no-such-package-minqing libnothing-here.so.9")
        self.assertNotEqual(result.returncode, 0)

    def test_the_warning_names_only_what_is_still_missing_after_the_attempt(self) -> None:
        # The attempt's own result is not trusted: apt_install failing (here: made to fail)
        # for packages that are installed must not warn about them.
        script = (
            "apt_install() { return 1; }; "
            'has_lib() { case "$1" in libharfbuzz-subset*) return 1;; *) return 0;; esac; }; '
            "has_package_lib() { return 0; }; is_root() { return 0; }; "
            "apt-cache() { return 0; }; ensure_runtime_packages"
        )
        result = bash(script)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertNotIn("could not install", result.stderr)
        failing = script.replace(
            "has_package_lib() { return 0; }", "has_package_lib() { return 1; }"
        )
        result = bash(failing)
        self.assertIn("could not install libharfbuzz-subset0", result.stderr)
