"""The layout keeps its promises, read from the imports of the source files (ast, nothing run):
the rooms of the petitions app do not import each other in a circle, `directory` knows nothing
of `rules`, and no file in petitions/ is named by its subject."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
PETITIONS = BASE / "petitions"
#: words that name a subject (a room) of the petitions app; a file is named by its role instead
SUBJECTS = {"appeal", "appeals", "petition", "petitions", "roster", "matter", "matters"}
SUBJECTS |= {"reception", "receptions"}
#: role names a file may carry (a room is told apart by its folder, never by a suffix)
ROLE_PREFIX = re.compile(
    r"^(models|services|selectors|views|forms|access|evaluators|exports|ledger|demo|panels)_"
)
#: the project's name for a module of public URLs, the same in every app (reports/urls_public.py)
PUBLIC_URLS = "urls_public"


def source_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.py")):
        if "migrations" not in path.relative_to(folder).parts:
            yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(BASE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, at the top or inside a function, as absolute dotted names
    (`from . import services` counts as the package and as package.services)."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def rooms() -> list[str]:
    return sorted(
        p.name
        for p in PETITIONS.iterdir()
        if (p / "__init__.py").exists() and p.name not in ("migrations", "management")
    )


def room_edges() -> dict[str, set[str]]:
    """room → the other rooms its modules import."""
    names = set(rooms())
    edges: dict[str, set[str]] = {room: set() for room in names}
    for room in names:
        for path in source_files(PETITIONS / room):
            for target in imported_modules(path):
                parts = target.split(".")
                if len(parts) > 1 and parts[0] == "petitions" and parts[1] in names - {room}:
                    edges[room].add(parts[1])
    return edges


def test_the_petitions_app_has_its_three_rooms() -> None:
    assert {"appeals", "matters", "roster"} <= set(rooms())


def test_no_room_of_the_petitions_app_imports_another_that_imports_it_back() -> None:
    edges = room_edges()
    # a circle of any length: a room reaches itself through the imports of the others
    for start in edges:
        seen: set[str] = set()
        todo = list(edges[start])
        while todo:
            room = todo.pop()
            assert room != start, f"import circle through {start}: {edges}"
            if room not in seen:
                seen.add(room)
                todo.extend(edges[room])


def test_the_petition_ledger_imports_neither_the_roster_nor_the_appeals() -> None:
    # the roster and the appeals are built on the ledger; where they meet (a reception's
    # appointment matters), the roster registers hooks the ledger calls
    assert room_edges()["matters"] == set()


def test_directory_imports_nothing_from_rules() -> None:
    offenders = {
        str(path.relative_to(BASE)): sorted(
            t for t in imported_modules(path) if t == "rules" or t.startswith("rules.")
        )
        for path in source_files(BASE / "directory")
    }
    assert {path: found for path, found in offenders.items() if found} == {}


def test_no_file_in_petitions_is_named_by_its_subject() -> None:
    named_by_subject = [
        str(path.relative_to(BASE))
        for path in source_files(PETITIONS)
        if path.stem != PUBLIC_URLS
        and (ROLE_PREFIX.match(path.stem) or SUBJECTS & set(path.stem.split("_")))
    ]
    assert named_by_subject == []
