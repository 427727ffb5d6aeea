"""Creating many records at once with their history (COPY on PostgreSQL, bulk_create elsewhere)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import TestCase

from directory.bulk import create_with_history
from tests.helpers import build_county
from visits.models import Visit, VisitPerson


class CreateWithHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.c = build_county()

    def test_new_records_get_ids_and_one_history_row_each(self) -> None:
        visits = [
            Visit(
                date=dt.date(2025, 3, n), kind="household", unit=self.c.taoyuan, days=Decimal("0.5")
            )
            for n in (3, 4, 5)
        ]

        create_with_history(visits, Visit, user=self.c.admin, reason="ledger import x.xlsx")

        ids = [visit.pk for visit in visits]
        self.assertEqual(Visit.objects.filter(pk__in=ids).count(), 3)
        stored = Visit.objects.get(pk=ids[0])
        self.assertIsNotNone(stored.created_at)
        history = Visit.history.filter(id__in=ids)
        self.assertEqual(
            sorted(history.values_list("history_type", "history_change_reason", "history_user")),
            [("+", "ledger import x.xlsx", self.c.admin.pk)] * 3,
        )

    def test_records_created_so_behave_as_any_other(self) -> None:
        [visit] = create_with_history(
            [
                Visit(
                    date=dt.date(2025, 3, 3), kind="research", unit=self.c.qingshan, days=Decimal(1)
                )
            ],
            Visit,
        )
        create_with_history(
            [VisitPerson(visit=visit, person=self.c.qingshan_secretary, date=visit.date)],
            VisitPerson,
        )

        visit.heard = "村道"
        visit.save()

        self.assertEqual(list(visit.people.all()), [self.c.qingshan_secretary])
        self.assertEqual(list(visit.history.values_list("history_type", flat=True)), ["~", "+"])
        self.assertIsNone(visit.history.last().history_user)
