"""A web worker whose kept database connection was dropped by the database (a restart, a
failover, an administrator's pg_terminate_backend) answers the next request normally: the
connection is checked before use (CONN_HEALTH_CHECKS) and replaced. Tested on a real gunicorn
worker against the test database, with the database terminating its connections between two
requests."""

from __future__ import annotations

import subprocess
import sys
import unittest
import urllib.error
import urllib.request

from django.db import connection
from django.test import TransactionTestCase

from tests.peers import ROOT, free_port, process_env, wait_for

PAGE = "/public/petitions/roster/"  # open without an account, reads the database


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310  (our server)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@unittest.skipUnless(connection.vendor == "postgresql", "pg_terminate_backend is PostgreSQL's")
class DroppedConnectionTests(TransactionTestCase):
    def serve(self, *, health_checks: bool) -> str:
        port = free_port()
        process = subprocess.Popen(  # noqa: S603  (our interpreter, our application)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=process_env(
                DJANGO_SETTINGS_MODULE="config.test_settings",
                DB_CONN_MAX_AGE=600,
                DB_CONN_HEALTH_CHECKS="1" if health_checks else "0",
                ALLOWED_HOSTS="127.0.0.1",
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        def stop() -> None:
            process.terminate()
            process.wait(20)

        self.addCleanup(stop)
        url = f"http://127.0.0.1:{port}{PAGE}"

        def answers() -> bool:
            try:
                return status_of(url) > 0
            except OSError:
                return False

        wait_for(answers, timeout=60, what="gunicorn to answer")
        return url

    def drop_connections(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    def test_terminated_connections_between_requests_give_no_500(self) -> None:
        url = self.serve(health_checks=True)
        self.assertEqual(status_of(url), 200)  # the worker now keeps a connection
        self.assertGreaterEqual(self.drop_connections(), 1)
        self.assertEqual(status_of(url), 200)
        self.assertEqual(status_of(url), 200)

    def test_without_health_checks_the_next_request_fails(self) -> None:
        # What the setting prevents: the same server, checks off, answers one 500.
        url = self.serve(health_checks=False)
        self.assertEqual(status_of(url), 200)
        self.assertGreaterEqual(self.drop_connections(), 1)
        self.assertEqual(status_of(url), 500)
        self.assertEqual(status_of(url), 200)
