"""The 民情联系卡 (contact card) of one pairing as a PDF (WeasyPrint): the household keeps it
to reach its cadre. The Chinese font is the one shipped in reports/fonts/ (WenQuanYi Micro
Hei), loaded with @font-face from a file:// URL; this app reads the file, it does not import
reports (nothing imports reports)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .models import Pairing

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

FONT_PATH = Path(settings.BASE_DIR) / "reports" / "fonts" / "wqy-microhei.ttf"


def contact_card_pdf(pairing: Pairing) -> bytes:
    from weasyprint import HTML

    context = {
        "pairing": pairing,
        "person": pairing.person,
        "household": pairing.household,
        "font_url": FONT_PATH.as_uri(),
    }
    html = render_to_string("assistance/card_pdf.html", context)
    return HTML(string=html, base_url=str(FONT_PATH.parent)).write_pdf()
