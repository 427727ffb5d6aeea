"""Excel export of the handling ledger (办理台账).

Two worksheets: `proposals`, the ledger sheet's own columns (the file imports back as it is),
and `办理台账`, the readable ledger with titles, units and each deadline's due date and
outcome."""

from __future__ import annotations

import io

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from directory.ledger import find_sheet
from rules.models import Clock

from .models import Proposal, Rating
from .selectors import clocks_by_item

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RATING_WORDS = {Rating.SATISFIED: "满意", Rating.BASIC: "基本满意", Rating.UNSATISFIED: "不满意"}


def _yes_no(value: bool) -> str:
    return "是" if value else "否"


def ledger_row(proposal: Proposal) -> dict[str, object]:
    """The `proposals` sheet's values of an item (prefetched answers, feedbacks, contacts)."""
    answers = {a.round: a for a in proposal.answers.all()}
    feedback = next((f for f in proposal.feedbacks.all() if f.round == 1), None)
    contacts = sorted(c.contacted_on for c in proposal.contacts.all())
    return {
        "ref": proposal.ref,
        "kind": proposal.kind,
        "session": proposal.session.code,
        "author": ";".join(a.person.code for a in proposal.authorships.all()),
        "submitted": proposal.submitted,
        "in_session": _yes_no(proposal.in_session),
        "unit": proposal.lead_unit.code if proposal.lead_unit else "",
        "assigned": proposal.assigned_on,
        "contacted": contacts[0] if contacts else None,
        "answered": answers[1].answered_on if 1 in answers else None,
        "complex": _yes_no(proposal.complex),
        "feedback": RATING_WORDS.get(feedback.result, "") if feedback else "",
        "feedback_on": feedback.given_on if feedback else None,
        "second_answered": answers[2].answered_on if 2 in answers else None,
        "title": proposal.title,
        "category": proposal.category,
    }


def _clock_text(clock: Clock) -> str:
    due = clock.due.isoformat()
    if clock.provisional and clock.state in ("open", "paused"):
        return f"{due}（{_('provisional')}：{clock.provisional_reason}）"
    if clock.state == "done":
        verdict = _("on time") if clock.on_time else _("late")
        return f"{due}（{clock.done_on.isoformat()} {verdict}）"
    return due


def ledger_workbook(proposals: QuerySet[Proposal]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    items = list(
        proposals.prefetch_related(None)
        .select_related("session", "lead_unit")
        .prefetch_related(
            "answers", "feedbacks", "contacts", "authorships__person", "co_handlings__unit"
        )
    )
    clocks = clocks_by_item(items)
    sheet = find_sheet("proposals")
    workbook = Workbook()
    raw = workbook.active
    raw.title = "proposals"
    raw.append([column.title_zh for column in sheet.columns])
    readable = workbook.create_sheet("办理台账")
    readable.append(
        [
            _("Reference"), _("Title"), _("Session"), _("Authors"), _("Lead unit"),
            _("Co-handling units"), _("Stage"), _("Assigned on"), _("Deadlines"),
        ]
    )  # fmt: skip
    for proposal in items:
        row = ledger_row(proposal)
        raw.append([row[column.key] for column in sheet.columns])
        readable.append(
            [
                proposal.ref,
                proposal.title,
                proposal.session.name,
                "、".join(a.person.name for a in proposal.authorships.all()),
                proposal.lead_unit.name if proposal.lead_unit else "",
                "、".join(c.unit.name for c in proposal.co_handlings.all()),
                proposal.get_stage_display(),
                proposal.assigned_on,
                "；".join(
                    f"{c.rule.rule_id} {_clock_text(c)}" for c in clocks.get(proposal.pk, [])
                ),
            ]
        )
    for worksheet in (raw, readable):
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for column in worksheet.columns:
            worksheet.column_dimensions[column[0].column_letter].width = 16
        for row in worksheet.iter_rows(min_row=2):
            for cell in row:
                if hasattr(cell.value, "isoformat"):
                    cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
