"""Democratic evaluation results as CSV, JSON and Excel, with DESIGN.md's columns:
unit, unit_name, ballots, satisfied, basic, unsatisfied, satisfaction_rate, score, rank."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from .scores import COLUMNS, ScoreRow


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def scores_to_csv(rows: list[ScoreRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row.as_dict().values()])
    return buffer.getvalue()


def scores_to_json(rows: list[ScoreRow]) -> str:
    data = [{key: _plain(value) for key, value in row.as_dict().items()} for row in rows]
    return json.dumps(data, ensure_ascii=False, indent=2)


def scores_to_xlsx(rows: list[ScoreRow]) -> bytes:
    """The ranking on the first sheet and every group's counts and score on a second."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "scores"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([_plain(value) for value in row.as_dict().values()])
    groups = workbook.create_sheet("groups")
    groups.append(
        [
            "unit",
            "unit_name",
            "group",
            "weight",
            "ballots",
            "satisfied",
            "basic",
            "unsatisfied",
            "score",
        ]
    )
    for row in rows:
        for group in row.groups:
            groups.append(
                [
                    row.code,
                    row.name,
                    group.code,
                    _plain(group.weight),
                    group.ballots,
                    group.counts.get("satisfied", 0),
                    group.counts.get("basic", 0),
                    group.counts.get("unsatisfied", 0),
                    _plain(row.group_scores.get(group.code)),
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
