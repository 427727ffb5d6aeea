"""The demo build: `manage.py demo` in a fresh SQLite database of a temporary DATA_DIR, in a
child process (≤ 60 s; migrating that database first is not timed)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings

from benchmark.runner import Case, Context, register

NAME = "demo build (manage.py demo, fresh SQLite)"


def _environment(ctx: Context) -> dict[str, str]:
    folder = Path(tempfile.mkdtemp(prefix="minqing-bench-demo-"))
    ctx.data["demo dir"] = folder
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATA_DIR"] = str(folder)
    env["MEDIA_ROOT"] = str(folder / "media")
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603  (this interpreter and this manage.py)
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _setup(ctx: Context) -> None:
    env = _environment(ctx)
    ctx.data["demo env"] = env
    _manage(env, "migrate", "--noinput")


def _run(ctx: Context) -> None:
    try:
        _manage(ctx.data["demo env"], "demo")
    finally:
        shutil.rmtree(ctx.data.pop("demo dir"), ignore_errors=True)


register(Case(NAME, run=_run, setup=_setup, budget=60.0, repeat=1, group="demo"))
