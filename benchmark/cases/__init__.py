"""The benchmark's cases, one module per subject. Every module in this package is imported (in
name order) by `load_cases()`; a module registers its cases with `benchmark.runner.register`
at import time. To add a case, add a module here (see benchmark/runner.py's docstring)."""

from __future__ import annotations

import importlib
import pkgutil


def load_cases() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        importlib.import_module(f"{__name__}.{module}")
