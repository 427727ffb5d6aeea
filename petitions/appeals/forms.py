"""Forms of the appeal pages: the public form (with its abuse checks), the status look-up and
feedback, staff intake, each handling step, the list filter and the category limits."""

from __future__ import annotations

import re
import secrets
import time
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing, validators
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from directory.fields import UnitInScopeField, use_fast_selects
from directory.models import OrgUnit, Person, Post
from directory.plausible import not_in_future

from ..identity import validate_phone
from ..matters.forms import DATE_WIDGET, MultipleFileField, handling_units
from ..matters.models import Satisfaction
from .models import AppealCategory, AppealSource, AppealStatus
from .services import attachment_max_bytes, check_appeal_upload

TOKEN_SALT = "petitions.appeal-form"
# Markup in any form: a tag opener (<b, </p, <!--, <?php), a script URL or an HTML entity;
# checked after NFKC so that full-width ＜script＞ is caught too. Chinese text never needs them
# (book titles use 《》).
MARKUP = re.compile(r"<\s*[/!?]?\s*[a-z]|(java|vb)script\s*:|&#?\w+;", re.IGNORECASE)
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
LEADER_POSTS = (
    Post.COUNTY_SECRETARY,
    Post.COUNTY_LEADER,
    Post.TOWNSHIP_SECRETARY,
    Post.TOWNSHIP_HEAD,
)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def text_bounds() -> tuple[int, int]:
    return _setting("APPEAL_TEXT_MIN_CHARS", 10), _setting("APPEAL_TEXT_MAX_CHARS", 2000)


def has_markup(value: str) -> bool:
    return bool(MARKUP.search(unicodedata.normalize("NFKC", value or "")))


def refuse_markup(value: str) -> None:
    if has_markup(value):
        raise ValidationError(
            _("Please write plain text: HTML tags and scripts are not accepted."), code="markup"
        )


def form_token() -> str:
    """A signed note of when the form was shown, with a random part so that every form shown
    has its own (checked on submit: not too fast, not stale; accepted once, see the view)."""
    return signing.dumps([time.time(), secrets.token_hex(8)], salt=TOKEN_SALT)


def check_token(token: str) -> None:
    max_age = _setting("APPEAL_FORM_MAX_AGE_SECONDS", 86400)
    try:
        value = signing.loads(token or "", salt=TOKEN_SALT, max_age=max_age)
        issued = float(value[0] if isinstance(value, list) else value)
    except (signing.BadSignature, TypeError, ValueError, IndexError):
        raise ValidationError(
            _("The form had expired. Please check your text and send it again."),
            code="expired",
        ) from None
    if time.time() - issued < _setting("APPEAL_MIN_FILL_SECONDS", 3):
        raise ValidationError(
            _("The form was sent too quickly after it was opened. Please send it again."),
            code="too_fast",
        )


class PublicAppealForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=AppealCategory.objects.filter(active=True)
    )
    township = forms.ModelChoiceField(
        label=_("Township"), queryset=OrgUnit.objects.townships().order_by("path")
    )
    text = forms.CharField(
        label=_("Your appeal"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text. Say what happened, where, and what you ask for."),
    )
    contact_name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Your phone (optional)"), max_length=20, required=False)
    attachments = MultipleFileField(
        label=_("Photos or scanned documents (optional)"),
        required=False,
        help_text=_("PDF, JPEG, PNG or TIFF."),
    )
    # The honeypot: hidden from people by the page's style sheet, filled in by form robots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = text_bounds()
        self.fields["text"].min_length = low
        self.fields["text"].max_length = high
        self.fields["text"].validators += [
            validators.MinLengthValidator(low),
            validators.MaxLengthValidator(high),
        ]
        self.fields["text"].widget.attrs["maxlength"] = str(high)
        self.fields["attachments"].help_text = _(
            "PDF, JPEG, PNG or TIFF; at most %(count)s files of %(size)s MB each."
        ) % {"count": self.max_files(), "size": attachment_max_bytes() // (1024 * 1024)}

    @staticmethod
    def max_files() -> int:
        return _setting("APPEAL_MAX_ATTACHMENTS", 3)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        refuse_markup(text)
        if len(LINK.findall(text)) > _setting("APPEAL_MAX_LINKS", 2):
            raise ValidationError(
                _("Too many web links. Describe the matter in your own words."), code="links"
            )
        return text

    def clean_contact_name(self) -> str:
        value = self.cleaned_data["contact_name"].strip()
        refuse_markup(value)
        return value

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data["contact_phone"].strip()
        if value:
            validate_phone(value)
        return value

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data["attachments"]
        if len(files) > self.max_files():
            raise ValidationError(
                _("Attach at most %(count)s files.") % {"count": self.max_files()},
                code="too_many_files",
            )
        limit = attachment_max_bytes()
        for upload in files:
            check_appeal_upload(upload, limit)
        return files

    def token(self) -> str:
        return str(self.cleaned_data.get("form_token") or "")

    def public_data(self) -> dict[str, Any]:
        """The fields the service takes (not the honeypot, not the token)."""
        keys = ("category", "township", "text", "contact_name", "contact_phone", "attachments")
        return {key: self.cleaned_data[key] for key in keys}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("website"):
            raise ValidationError(
                _("Your appeal could not be accepted. Please fill in only the visible fields."),
                code="honeypot",
            )
        check_token(data.get("form_token", ""))
        return data


class LookupForm(forms.Form):
    ref = forms.CharField(label=_("Receipt code"), max_length=40)
    key = forms.CharField(label=_("Lookup key"), max_length=40)


class PublicFeedbackForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with the reply?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_note(self) -> str:
        value = self.cleaned_data["note"].strip()
        refuse_markup(value)
        return value


class StaffFeedbackForm(PublicFeedbackForm):
    """Feedback a citizen gave by phone (the hotline's return call), recorded by the office."""

    on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, validators=[not_in_future])


def leaders() -> Any:
    return Person.objects.with_post(*LEADER_POSTS).select_related("unit").order_by("code")


class IntakeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Platform"),
        choices=[c for c in AppealSource.choices if c[0] != AppealSource.ONLINE]
        + [(AppealSource.ONLINE, AppealSource.ONLINE.label)],
    )
    external_ref = forms.CharField(
        label=_("Number on the other platform"), max_length=60, required=False
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=AppealCategory.objects.all())
    township = forms.ModelChoiceField(
        label=_("Township"),
        queryset=OrgUnit.objects.townships().order_by("path"),
        required=False,
    )
    to_leader = forms.ModelChoiceField(
        label=_("Addressed to leader"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("For a leader's mailbox or hotline (HF-O1)."),
    )
    text = forms.CharField(
        label=_("What the appeal says"), widget=forms.Textarea(attrs={"rows": 6})
    )
    contact_name = forms.CharField(label=_("Contact name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_leader"].queryset = leaders()

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data["contact_phone"].strip()
        if value:
            validate_phone(value)
        return value


class AssignForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Handling unit"), queryset=OrgUnit.objects.none())
    instruction = forms.CharField(
        label=_("Leader's instruction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The instruction (批示) this assignment follows."),
    )
    instructed_by = forms.ModelChoiceField(
        label=_("Instruction given by"), queryset=Person.objects.none(), required=False
    )
    on = forms.DateField(label=_("Assigned on"), widget=DATE_WIDGET, validators=[not_in_future])

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = handling_units(user).order_by("path")
        self.fields["instructed_by"].queryset = leaders()


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is not for your unit"), widget=forms.Textarea(attrs={"rows": 3})
    )
    on = forms.DateField(label=_("Returned on"), widget=DATE_WIDGET, validators=[not_in_future])


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}))
    on = forms.DateField(label=_("Replied on"), widget=DATE_WIDGET, validators=[not_in_future])


class NotableForm(forms.Form):
    notable = forms.BooleanField(label=_("Notable: show in the daily bulletin"), required=False)
    note = forms.CharField(label=_("Why"), max_length=200, required=False)


class AppealFilterForm(forms.Form):
    q = forms.CharField(label=_("Receipt code"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *AppealStatus.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=AppealCategory.objects.all(), required=False
    )
    source = forms.ChoiceField(
        label=_("Platform"), choices=[("", "—"), *AppealSource.choices], required=False
    )
    # Typed, not chosen (a city has hundreds of townships): one query less, no option per row.
    township = UnitInScopeField(
        label=_("Township"), required=False, help_text=_("The township's code or name.")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE_WIDGET)
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["township"].units = OrgUnit.objects.townships()
        use_fast_selects(self)


class DayForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE_WIDGET)


class CategoryForm(forms.ModelForm):
    class Meta:
        model = AppealCategory
        fields = ["code", "name", "limit_days", "active", "sort_order"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True  # imported ledgers refer to it
