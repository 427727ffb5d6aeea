"""Forms of the ledger import: the upload, and the mapping of a foreign workbook."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .ledger import Mapping, TableMapping
from .ledger_guess import TableGuess
from .ledger_layout import HEADER_SCAN_ROWS
from .ledger_schema import find_sheet, sheets
from .models_ledger import LedgerMapping
from .services_ledger import mappings_for_user

ACCEPTED_SUFFIXES = (".xlsx", ".zip", ".csv")


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Ledger file"),
        help_text=gettext_lazy("An .xlsx workbook, or a .zip of CSV files named after the sheets."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )
    mapping = forms.ModelChoiceField(
        label=gettext_lazy("Saved mapping"),
        queryset=LedgerMapping.objects.none(),
        required=False,
        empty_label=gettext_lazy("(none: sheets and columns are found by their titles)"),
        help_text=gettext_lazy("A mapping made earlier for this office's own workbook."),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check every row, save nothing"), required=False
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["mapping"].queryset = mappings_for_user(user)

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        limit = settings.LEDGER_UPLOAD_MAX_BYTES
        if upload.size is not None and upload.size > limit:
            raise ValidationError(
                _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}
            )
        if Path(upload.name or "").suffix.lower() not in ACCEPTED_SUFFIXES:
            raise ValidationError(_("Upload an .xlsx workbook or a .zip of CSV files."))
        return upload


def _sheet_choices() -> list[tuple[str, str]]:
    return [("", _("— not imported —"))] + [
        (sheet.name, f"{sheet.title_zh}（{sheet.name}）") for sheet in sheets()
    ]


def _column_choices(sheet_name: str) -> list[tuple[str, str]]:
    sheet = find_sheet(sheet_name) if sheet_name else None
    choices = [("", _("— not used —"))]
    if sheet is not None:
        choices += [
            (c.key, f"{c.title_zh}（{c.key}）" + (" *" if c.required else ""))
            for c in sheet.columns
        ]
    return choices


class MappingForm(forms.Form):
    """Per worksheet: the sheet it holds and its header row; per column of the worksheet: the
    column of the sheet it is (or not used). Built from the page's guesses."""

    save_as = forms.CharField(
        label=gettext_lazy("Save this mapping as"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Give a name to reuse it for next month's workbook."),
    )

    def __init__(self, *args: Any, guesses: Sequence[TableGuess], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guesses = list(guesses)
        for t, guess in enumerate(self.guesses):
            self.fields[f"t{t}-sheet"] = forms.ChoiceField(
                label=_("Sheet"), choices=_sheet_choices(), initial=guess.sheet, required=False
            )
            self.fields[f"t{t}-header"] = forms.IntegerField(
                label=_("Header row"),
                min_value=1,
                max_value=HEADER_SCAN_ROWS,
                initial=guess.header_row,
            )
            for c, column in enumerate(guess.columns):
                self.fields[f"t{t}-c{c}"] = forms.ChoiceField(
                    label=column.title or column.id,
                    choices=_column_choices(guess.sheet),
                    initial=column.key,
                    required=False,
                )

    def changed_layouts(self) -> dict[int, TableMapping]:
        """Worksheets whose sheet or header row the user changed: their columns are proposed
        again before the mapping is taken (t → the new sheet and header row)."""
        changed: dict[int, TableMapping] = {}
        for t, guess in enumerate(self.guesses):
            sheet = self.data.get(f"t{t}-sheet", guess.sheet)
            try:
                header = int(self.data.get(f"t{t}-header", guess.header_row))
            except (TypeError, ValueError):
                header = guess.header_row
            if sheet != guess.sheet or header != guess.header_row:
                changed[t] = TableMapping(sheet, max(1, min(header, HEADER_SCAN_ROWS)), {})
        return changed

    def tables(self) -> list[dict[str, Any]]:
        """What the template shows: per worksheet its fields and its columns' fields."""
        return [
            {
                "guess": guess,
                "sheet": self[f"t{t}-sheet"],
                "header": self[f"t{t}-header"],
                "columns": [(column, self[f"t{t}-c{c}"]) for c, column in enumerate(guess.columns)],
            }
            for t, guess in enumerate(self.guesses)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for t, guess in enumerate(self.guesses):
            sheet = find_sheet(data.get(f"t{t}-sheet") or "")
            if sheet is None:
                continue
            keys = [data.get(f"t{t}-c{c}") for c in range(len(guess.columns))]
            chosen = [k for k in keys if k]
            twice = sorted({k for k in chosen if chosen.count(k) > 1})
            if twice:
                self.add_error(
                    f"t{t}-sheet",
                    _("%(table)s: a column is chosen twice: %(keys)s.")
                    % {"table": guess.table, "keys": ", ".join(twice)},
                )
            missing = [c.title_zh for c in sheet.columns if c.required and c.key not in chosen]
            if missing:
                self.add_error(
                    f"t{t}-sheet",
                    _("%(table)s: choose the columns that hold %(columns)s.")
                    % {"table": guess.table, "columns": "、".join(missing)},
                )
        return data

    def mapping(self) -> Mapping:
        data = self.cleaned_data
        return Mapping(
            {
                guess.table: TableMapping(
                    sheet=data.get(f"t{t}-sheet") or "",
                    header_row=data.get(f"t{t}-header") or guess.header_row,
                    columns={
                        column.id: data.get(f"t{t}-c{c}") or ""
                        for c, column in enumerate(guess.columns)
                    },
                )
                for t, guess in enumerate(self.guesses)
            }
        )
