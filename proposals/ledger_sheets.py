"""Ledger sheets `sessions` and `proposals` (DESIGN.md columns; `proposals` also takes the
optional `title` and `category` columns after them).

A `proposals` row is the handling ledger's line for one item: importing it registers the item
and records, in order, each step the row gives that the item has not reached yet (assignment,
complex, contact, answer, feedback, second answer) through the same services the pages use,
so the clocks start and stop as if the steps had been recorded one by one. A step already
recorded with another value is an error: a ledger does not rewrite history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from directory.ledger import (
    CREATED,
    UNCHANGED,
    UPDATED,
    Choice,
    CodeList,
    Column,
    ImportContext,
    Outcome,
    RowError,
    Sheet,
    boolean,
    date,
    ref_or_row,
    register_sheet,
    snapshot,
)

from .access import is_office_for
from .models import Body, Category, Kind, Proposal, Rating, Session
from .services import (
    proposal_answer,
    proposal_assign,
    proposal_feedback,
    proposal_mark_complex,
    proposal_record_contact,
    proposal_register,
    proposal_set_authors,
    session_save,
)

BODY = Choice(
    Body,
    {
        "人大": Body.CONGRESS,
        "人代会": Body.CONGRESS,
        "人民代表大会": Body.CONGRESS,
        "政协": Body.CPPCC,
        "党代会": Body.PARTY_CONGRESS,
    },
)
KIND = Choice(Kind, {"建议": Kind.SUGGESTION, "提案": Kind.PROPOSAL, "意见建议": Kind.SUGGESTION})
RATING = Choice(
    Rating, {"满意": Rating.SATISFIED, "基本满意": Rating.BASIC, "不满意": Rating.UNSATISFIED}
)
CATEGORY = Choice(
    Category,
    {
        "经济": Category.ECONOMY,
        "财经": Category.ECONOMY,
        "城乡建设": Category.URBAN_RURAL,
        "农业农村": Category.AGRICULTURE,
        "三农": Category.AGRICULTURE,
        "教科文卫": Category.EDUCATION,
        "社会保障": Category.SOCIAL,
        "生态环境": Category.ENVIRONMENT,
        "政法": Category.LAW,
        "其他": Category.OTHER,
    },
)


# --- sessions ---------------------------------------------------------------------------------


def import_session(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    if ctx.acting_user is not None and not is_office_for(ctx.acting_user, row["body"]):
        raise RowError("body", gettext("Only the body's liaison office imports its sessions."))
    code = row["code"]
    session: Session | None = ctx.existing(Session, "code", code=code)
    before = snapshot(session)
    if session is None:
        session = Session(code=code)
    session.name = row["name"]
    session.body = row["body"]
    session.opens = row["opens"]
    session.closes = row["closes"]
    outcome = ctx.save(session, before, lambda: session_save(session=session, reason=ctx.reason))
    ctx.remember(session, code)
    return outcome


register_sheet(
    Sheet(
        name="sessions",
        title_zh="会议",
        label=_("Sessions"),
        order=100,
        columns=(
            Column("code", "会议编码", _("code"), required=True),
            Column("name", "会议名称", _("name"), required=True),
            Column("body", "会议类别", _("body"), required=True, parse=BODY),
            Column("opens", "开幕日期", _("opens"), required=True, parse=date),
            Column("closes", "闭幕日期", _("closes"), required=True, parse=date),
        ),
        import_row=import_session,
        examples=(
            {
                "code": "EX-RD-1",
                "name": "示例县第一届人民代表大会第一次会议",
                "body": "人大",
                "opens": "2025-01-10",
                "closes": "2025-01-13",
            },
        ),
    )
)


# --- proposals --------------------------------------------------------------------------------


def _step(column: str, action: Callable[[], Any]) -> None:
    """Run one handling step; its errors belong to the row's column for that step."""
    try:
        action()
    except ValidationError as exc:
        raise RowError(column, " ".join(exc.messages)) from exc


def _recorded(column: str, recorded: Any, wanted: Any) -> bool:
    """True when the step is recorded already (with the same value); an error if it differs."""
    if recorded is None:
        return False
    if recorded != wanted:
        shown = recorded.isoformat() if isinstance(recorded, dt.date) else str(recorded)
        raise RowError(
            column,
            gettext("Already recorded as %(value)s; a ledger cannot change a recorded step.")
            % {"value": shown},
        )
    return True


def _session(row: dict[str, Any], ctx: ImportContext) -> Session:
    session = ctx.find(
        Session,
        row["session"],
        column="session",
        sheet="sessions",
        unknown=gettext('No session has the code "%(code)s".'),
    )
    if ctx.acting_user is not None and not is_office_for(ctx.acting_user, session.body):
        raise RowError("session", gettext("Only the body's liaison office imports its items."))
    return session


def _register_or_update(row: dict[str, Any], ctx: ImportContext) -> tuple[Proposal, Outcome]:
    session = _session(row, ctx)
    authors = [ctx.person(code, "author") for code in row["author"]]
    in_session = row.get("in_session")
    if in_session is None:
        in_session = row["submitted"] <= session.closes
    # a row without a reference is a new item, numbered as the form numbers it
    ref = row.get("ref") or ""
    proposal: Proposal | None = ctx.existing(Proposal, "ref", ref=ref) if ref else None
    if proposal is None:
        proposal = proposal_register(
            session=session,
            kind=row["kind"],
            submitted=row["submitted"],
            in_session=in_session,
            title=row.get("title") or ref or gettext("(from the ledger)"),
            category=row.get("category") or "",
            authors=authors,
            ref=ref,
            reason=ctx.reason,
        )
        return proposal, CREATED
    _recorded("session", proposal.session.code, session.code)
    _recorded("kind", proposal.kind, row["kind"])
    _recorded("submitted", proposal.submitted, row["submitted"])
    outcome = UNCHANGED
    current = [a.person_id for a in proposal.authorships.all()]
    if current != [person.pk for person in authors]:
        proposal_set_authors(proposal=proposal, authors=authors)
        outcome = UPDATED
    return proposal, outcome


def _assign(proposal: Proposal, row: dict[str, Any], ctx: ImportContext) -> bool:
    if not row.get("unit") and not row.get("assigned"):
        return False
    if not row.get("unit") or not row.get("assigned"):
        column = "unit" if not row.get("unit") else "assigned"
        raise RowError(column, gettext("Give both the lead unit and the assignment date."))
    unit = ctx.unit(row["unit"], "unit")
    if _recorded("assigned", proposal.assigned_on, row["assigned"]):
        _recorded("unit", proposal.lead_unit.code, unit.code)
        return False
    _step("assigned", lambda: proposal_assign(proposal=proposal, lead_unit=unit, assigned_on=row["assigned"], reason=ctx.reason))  # fmt: skip
    return True


def _complex(proposal: Proposal, row: dict[str, Any]) -> bool:
    if not row.get("complex") or proposal.complex:
        return False
    explanation = gettext("Recorded as complex in the imported ledger.")
    _step("complex", lambda: proposal_mark_complex(proposal=proposal, explanation=explanation))
    return True


def _contact(proposal: Proposal, row: dict[str, Any]) -> bool:
    if not row.get("contacted"):
        return False
    first = proposal.contacts.order_by("contacted_on").first()
    if _recorded("contacted", first.contacted_on if first else None, row["contacted"]):
        return False
    _step("contacted", lambda: proposal_record_contact(proposal=proposal, contacted_on=row["contacted"], method="other"))  # fmt: skip
    return True


def _answer(proposal: Proposal, row: dict[str, Any], round_: int, column: str) -> bool:
    if not row.get(column):
        return False
    recorded = proposal.answers.filter(round=round_).first()
    if _recorded(column, recorded.answered_on if recorded else None, row[column]):
        return False
    if proposal.answer_round != round_:
        message = (
            gettext("This item does not owe its first answer now.")
            if round_ == 1
            else gettext("A second answer follows 'unsatisfied' feedback only.")
        )
        raise RowError(column, message)
    _step(column, lambda: proposal_answer(proposal=proposal, answered_on=row[column], result=""))
    return True


def _feedback(proposal: Proposal, row: dict[str, Any]) -> bool:
    if not row.get("feedback") and not row.get("feedback_on"):
        return False
    if not row.get("feedback") or not row.get("feedback_on"):
        column = "feedback" if not row.get("feedback") else "feedback_on"
        raise RowError(column, gettext("Give both the feedback and its date."))
    recorded = proposal.feedbacks.filter(round=1).first()
    if _recorded("feedback_on", recorded.given_on if recorded else None, row["feedback_on"]):
        _recorded("feedback", recorded.result, row["feedback"])
        return False
    _step("feedback_on", lambda: proposal_feedback(proposal=proposal, given_on=row["feedback_on"], attitude=row["feedback"], result=row["feedback"], by_author=False))  # fmt: skip
    return True


def import_proposal(row: dict[str, Any], ctx: ImportContext) -> Outcome:
    proposal, outcome = _register_or_update(row, ctx)
    steps = [
        _assign(proposal, row, ctx),
        _complex(proposal, row),
        _contact(proposal, row),
        _answer(proposal, row, 1, "answered"),
        _feedback(proposal, row),
    ]
    steps.append(_answer(proposal, row, 2, "second_answered"))
    ctx.remember(proposal, proposal.ref)
    if outcome == CREATED:
        return CREATED
    return UPDATED if outcome == UPDATED or any(steps) else UNCHANGED


register_sheet(
    Sheet(
        name="proposals",
        title_zh="建议提案",
        label=_("Suggestions and proposals"),
        order=110,
        columns=(
            # empty: a new item, given the next number of the county (directory.numbering)
            Column("ref", "编号", _("reference")),
            Column("kind", "类别", _("kind"), required=True, parse=KIND),
            Column("session", "会议编码", _("session"), required=True),
            Column("author", "领衔人及联名人", _("authors"), required=True, parse=CodeList()),
            Column("submitted", "提出日期", _("submitted on"), required=True, parse=date),
            Column("in_session", "会议期间提出", _("made during the session"), parse=boolean),
            Column("unit", "主办单位编码", _("lead unit")),
            Column("assigned", "交办日期", _("assigned on"), parse=date),
            Column("contacted", "联系代表日期", _("contacted on"), parse=date),
            Column("answered", "答复日期", _("answered on"), parse=date),
            Column("complex", "复杂事项", _("complex item"), parse=boolean),
            Column("feedback", "反馈意见", _("feedback"), parse=RATING),
            Column("feedback_on", "反馈日期", _("feedback given on"), parse=date),
            Column("second_answered", "二次答复日期", _("second answer on"), parse=date),
            Column("title", "标题", _("title")),
            Column("category", "内容分类", _("category"), parse=CATEGORY),
        ),
        import_row=import_proposal,
        identify=ref_or_row,
        field_columns={
            "authors": "author",
            "lead_unit": "unit",
            "assigned_on": "assigned",
            "contacted_on": "contacted",
            "answered_on": "answered",
            "given_on": "feedback_on",
        },
        examples=(
            {
                "ref": "EX-RD-1-J001",
                "kind": "建议",
                "session": "EX-RD-1",
                "author": "EX-P1",
                "submitted": "2025-01-11",
                "in_session": "是",
                "unit": "EX-T1",
                "assigned": "2025-02-20",
                "contacted": "2025-02-25",
                "answered": "2025-05-10",
                "complex": "否",
                "feedback": "满意",
                "feedback_on": "2025-05-20",
                "second_answered": "",
                "title": "关于示例村道路硬化的建议",
                "category": "城乡建设",
            },
        ),
    )
)
