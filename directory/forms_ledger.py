"""The ledger upload form."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

ACCEPTED_SUFFIXES = (".xlsx", ".zip", ".csv")


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file"),
        help_text=_("An .xlsx workbook, or a .zip of CSV files named after the sheets."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check every row, save nothing"), required=False)

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
