"""Helpers for the proposals tests, built on tests.helpers.build_county()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import StringIO

from django.core.management import call_command

from directory.models import OrgUnit, Person, Role, User
from proposals.models import LiaisonOffice, Proposal, PublicListItem, Session
from proposals.services import list_item_save, proposal_register, session_save
from tests.helpers import County, build_county, make_person, make_unit, make_user


def load_proposal_rules() -> None:
    """The rule rows the clocks and evaluators read (TY-P1–P4, TY-L1, TJ-P1)."""
    call_command("load_rules", "taoyuan", "tianjin", stdout=StringIO())


def make_session(
    code: str = "RD-2025",
    body: str = "congress",
    opens: dt.date = dt.date(2025, 1, 10),
    closes: dt.date = dt.date(2025, 1, 13),
    name: str = "",
) -> Session:
    return session_save(
        session=Session(code=code, name=name or code, body=body, opens=opens, closes=closes)
    )


def make_proposal(
    session: Session,
    authors: list[Person],
    *,
    title: str = "关于改善乡村道路的建议",
    submitted: dt.date | None = None,
    in_session: bool = True,
    ref: str = "",
) -> Proposal:
    kind = "proposal" if session.body == "cppcc" else "suggestion"
    return proposal_register(
        session=session,
        kind=kind,
        submitted=submitted or session.opens,
        title=title,
        authors=authors,
        in_session=in_session,
        ref=ref,
    )


def make_list_item(
    leader: Person,
    unit: OrgUnit,
    *,
    code: str,
    kind: str = "practical",
    target: dt.date = dt.date(2025, 6, 30),
    completed: dt.date | None = None,
    title: str = "新建村级文化广场",
    internal_note: str = "",
) -> PublicListItem:
    return list_item_save(
        item=PublicListItem(
            list_kind=kind,
            year=target.year,
            code=code,
            title=title,
            description="为群众提供休闲活动场所",
            lead_leader=leader,
            responsible_unit=unit,
            target_date=target,
            completed_on=completed,
            internal_note=internal_note,
        )
    )


@dataclass
class ProposalsCounty:
    base: County
    congress_office: OrgUnit
    cppcc_office: OrgUnit
    congress_clerk: User
    cppcc_clerk: User
    deputy: Person
    deputy_account: User
    other_deputy: Person
    other_deputy_account: User
    member: Person
    member_account: User
    session: Session
    cppcc_session: Session


def build_proposals_county() -> ProposalsCounty:
    base = build_county()
    congress_office = make_unit("县人大常委会联络室", "department", base.county, code="QH-RDLLS")
    cppcc_office = make_unit("县政协提案委员会", "department", base.county, code="QH-ZXTAW")
    LiaisonOffice.objects.create(unit=congress_office, body="congress")
    LiaisonOffice.objects.create(unit=cppcc_office, body="cppcc")
    deputy = make_person("周代表", base.taoyuan, "cadre;deputy", code="P-DEP1")
    other_deputy = make_person("吴代表", base.dongjie, "deputy", code="P-DEP2")
    member = make_person("郑委员", base.education, "member", code="P-MEM1")
    return ProposalsCounty(
        base=base,
        congress_office=congress_office,
        cppcc_office=cppcc_office,
        congress_clerk=make_user("renda", congress_office, Role.UNIT_STAFF),
        cppcc_clerk=make_user("zhengxie", cppcc_office, Role.UNIT_STAFF),
        deputy=deputy,
        deputy_account=make_user("deputy", None, person=deputy),
        other_deputy=other_deputy,
        other_deputy_account=make_user("deputy2", None, person=other_deputy),
        member=member,
        member_account=make_user("member", None, person=member),
        session=make_session(),
        cppcc_session=make_session(
            code="ZX-2025", body="cppcc", opens=dt.date(2025, 1, 9), closes=dt.date(2025, 1, 12)
        ),
    )
