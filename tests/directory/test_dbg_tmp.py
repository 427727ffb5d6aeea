from django.test import TestCase

from directory.ledger import find_sheet
from directory.ledger_guess import _sheet_by_values, fit, guess_mapping
from directory.ledger_layout import head_rows
from directory.ledger_read import open_tables
from tests.directory.test_ledger_mapping_pages import foreign_workbook
from tests.helpers import build_county


class T(TestCase):
    def test_x(self):
        build_county()
        with open_tables(foreign_workbook(), "x.xlsx") as tables:
            rows = head_rows(tables[0])
            print(rows[:4])
            print(_sheet_by_values(rows))
            visits = find_sheet("visits")
            from directory.ledger_guess import _samples

            samples = _samples(rows, 3, 7)
            for c in visits.columns:
                print(c.key, [round(fit(c, s), 2) for s in samples])
            print(guess_mapping(tables))
