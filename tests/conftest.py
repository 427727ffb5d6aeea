from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that
# unless told it is safe (the browser tests touch the database only from the test thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
