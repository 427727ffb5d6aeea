"""`make run` from a clean clone to the first page: the committed tree cloned into a temporary
folder (no `.venv`, no `data/`), `bash scripts/run.sh` started there on a free port with a
temporary DATA_DIR (SQLite, the default), and the time until the login page answers 200. The
whole process group (web server and queue workers) is stopped afterwards.

What it covers: the virtual environment created and the lock installed (from pip's cache when
it is warm; the note says which), migrations, translations compiled, static files collected,
rule packs loaded, the demo county built, the schedules declared and the server started. Only
committed work is measured (a clone), so commit before running it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings

from benchmark.runner import Case, Context, register

NAME = "make run: clean clone to the first page"
#: seconds to wait for the first page before the case fails
GIVE_UP = 900.0
#: what `scripts/run.sh` says while it works (read from its output to split the time)
STEPS = (
    "installing requirements.lock",
    "migrating the database",
    "loading rule packs",
    "building the demo county",
    "declaring the queue's schedules",
    "starting the queue worker",
    "minqing is at",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local URL)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _setup(ctx: Context) -> None:
    folder = Path(tempfile.mkdtemp(prefix="minqing-bench-run-"))
    clone = folder / "minqing"
    subprocess.run(  # noqa: S603
        ["git", "clone", "--quiet", str(settings.BASE_DIR), str(clone)],  # noqa: S607
        check=True,
    )
    ctx.data["run folder"] = folder
    ctx.data["run clone"] = clone


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _follow(process: subprocess.Popen[bytes], log: Path, steps: list[tuple[float, str]]) -> None:
    """Copy the script's output to `log`, noting when each of its `==>` lines arrived."""
    assert process.stdout is not None
    with open(log, "wb") as out:
        for line in process.stdout:
            out.write(line)
            text = line.decode(errors="replace").strip()
            if text.startswith("==> "):
                steps.append((time.perf_counter(), text[4:]))


def _step_seconds(started: float, ended: float, steps: list[tuple[float, str]]) -> str:
    marks = [*steps, (ended, "")]
    parts = []
    for (at, text), (after, _next) in zip(marks, marks[1:], strict=False):
        label = next((step for step in STEPS if text.startswith(step)), text[:30])
        parts.append(f"{label} {after - at:.0f} s")
    lead = f"before the first step {steps[0][0] - started:.0f} s; " if steps else ""
    return lead + "; ".join(parts)


def _run(ctx: Context) -> None:
    clone: Path = ctx.data["run clone"]
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "VIRTUAL_ENV"}}
    env.update(
        DATA_DIR=str(ctx.data["run folder"] / "data"),
        HOST="127.0.0.1",
        PORT=str(port),
        PYTHONDONTWRITEBYTECODE="1",
    )
    log_path = ctx.data["run folder"] / "run.log"
    steps: list[tuple[float, str]] = []
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        ["make", "run"],  # noqa: S607
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # one process group: make, the server and both workers
    )
    ctx.data["run process"] = process
    reader = threading.Thread(target=_follow, args=(process, log_path, steps), daemon=True)
    reader.start()
    ctx.data["run reader"] = reader
    url = f"http://127.0.0.1:{port}/accounts/login/"
    while not _answers(url):
        if process.poll() is not None:
            reader.join(timeout=10)
            raise AssertionError(
                f"make run exited with {process.returncode}: "
                + log_path.read_text(errors="replace")[-2000:]
            )
        if time.perf_counter() - started > GIVE_UP:
            raise AssertionError(f"no page after {GIVE_UP:.0f} s")
        time.sleep(0.5)
    ended = time.perf_counter()
    ctx.notes[NAME] = f"first page after {ended - started:.0f} s: " + _step_seconds(
        started, ended, steps
    )


def _teardown(ctx: Context) -> None:
    """Stop the server and both workers (untimed) and remove the clone."""
    process = ctx.data.pop("run process", None)
    if process is not None:
        _stop(process)
    reader = ctx.data.pop("run reader", None)
    if reader is not None:
        reader.join(timeout=10)
    shutil.rmtree(ctx.data.pop("run folder"), ignore_errors=True)


register(Case(NAME, run=_run, setup=_setup, teardown=_teardown, budget=300.0, repeat=1,
              group="demo"))  # fmt: skip
