"""Test settings: only what tests need differs from config.settings.

Tests write nothing into the repository or its `data/` folder: DATA_DIR (and with it
MEDIA_ROOT, the generated secret key and any SQLite file) is a temporary folder, removed when
the test process that made it ends. Subprocesses a test starts (a worker killed mid-send, a web
server) inherit MINQING_TEST_DATA_DIR and share the folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

if "MINQING_TEST_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="minqing-test-data-")
    os.environ["MINQING_TEST_DATA_DIR"] = _data_dir
    _owner = os.getpid()

    @atexit.register
    def _remove_data_dir() -> None:
        if os.getpid() == _owner:  # a forked child must not remove its parent's folder
            shutil.rmtree(_data_dir, ignore_errors=True)


os.environ["DATA_DIR"] = os.environ["MINQING_TEST_DATA_DIR"]
os.environ["MEDIA_ROOT"] = os.path.join(os.environ["DATA_DIR"], "media")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A generous timeout: a PDF rendered in sync mode on a loaded CI machine must not be cut off.
Q_CLUSTER = {"name": "minqing-test", "orm": "default", "sync": True, "timeout": 900, "retry": 960}
REPORTS_Q_CLUSTER = ""
