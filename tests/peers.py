"""Real peers on 127.0.0.1 for delivery tests: an SMTP server (aiosmtpd) and an HTTP server
(http.server) that record what they receive and answer as told; and a Django process of its own
(a queue worker, a web server) on the test database, which a test may kill."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    # Polls a bounded number of times rather than reading the clock (no test measures time).
    for _attempt in range(int(timeout / 0.05) + 1):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


# --- SMTP -----------------------------------------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    content: bytes


class RecordingSMTPServer:
    """An SMTP server on 127.0.0.1 that records every message it accepts. `rcpt_delay` makes
    it slow to answer RCPT TO (a busy server): a client killed while waiting has sent nothing
    the server would keep. Not started, its port refuses connections (a server that is down)."""

    def __init__(self, rcpt_delay: float = 0.0) -> None:
        self.port = free_port()
        self.rcpt_delay = rcpt_delay
        self.received: list[Received] = []
        self.rcpt_seen = threading.Event()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        self.rcpt_seen.set()
        if self.rcpt_delay:
            await asyncio.sleep(self.rcpt_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
            )
        return "250 Message accepted for delivery"

    def messages(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def start(self) -> RecordingSMTPServer:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict[str, Any]:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.body.decode()))

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 200
    body: str = '{"errcode":0,"errmsg":"ok"}'
    delay: float = 0.0


@dataclass
class RecordingHTTPServer:
    """An HTTP server on 127.0.0.1 that records every POST and answers with the next of
    `answers` (the last one again once they run out)."""

    answers: list[Answer] = field(default_factory=lambda: [Answer()])
    requests: list[Request] = field(default_factory=list)
    request_seen: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _next_answer(self) -> Answer:
        with self._lock:
            index = min(len(self.requests) - 1, len(self.answers) - 1)
            return self.answers[index]

    def start(self) -> RecordingHTTPServer:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (http.server's hook name)
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                parsed = urllib.parse.urlsplit(self.path)
                with peer._lock:
                    peer.requests.append(
                        Request(
                            parsed.path,
                            dict(urllib.parse.parse_qsl(parsed.query)),
                            dict(self.headers),
                            body,
                        )
                    )
                peer.request_seen.set()
                answer = peer._next_answer()
                if answer.delay:
                    time.sleep(answer.delay)
                data = answer.body.encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client is gone (killed): nothing to answer
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def received(self) -> list[Request]:
        with self._lock:
            return list(self.requests)


# --- a Django process of its own -----------------------------------------------------------------


def database_url() -> str:
    """The test database as a DATABASE_URL (PostgreSQL), for a process of its own."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def process_env(**extra: Any) -> dict[str, str]:
    """The environment of a process on the production settings and the test database, whose
    files go to the tests' temporary DATA_DIR."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("EMAIL_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url(),
        DATA_DIR=str(settings.DATA_DIR),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        SECRET_KEY=settings.SECRET_KEY,
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start_python(code: str, **env: Any) -> subprocess.Popen[str]:
    """`code` run after django.setup() in a process of its own (kill it with .kill())."""
    script = f"import django\ndjango.setup()\n{code}"
    return subprocess.Popen(  # noqa: S603  (our own interpreter and code)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=process_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
