"""Annual written reports (TY-Y1) and research reports (HF-V5a/b): who owes one, submit, read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory import navigation
from directory.access import get_or_404, scope_for
from directory.forms import apply_errors
from directory.paging import page_of
from rules.compliance import MET
from rules.models import RuleKind

from .evaluators import RULE_IDS
from .forms import SubmissionForm, current_year
from .models import Submission
from .selectors import compliance_table, window_for
from .services import submission_save

navigation.register(
    gettext_lazy("Written reports"), "reports-submissions", group="supervision", order=61
)


def get_submission_for_user(user: Any, pk: int) -> Submission:
    return get_or_404(Submission.objects.visible_to(user).select_related("person", "unit"), pk=pk)


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year", ""))
    except ValueError:
        return current_year()


def submission_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    table = compliance_table(
        scope=scope_for(request.user),
        window=window_for(year),
        today=timezone.localdate(),
        kinds=[RuleKind.SUBMISSION],
    )
    rows = [row for row in table.rows if row.rule in RULE_IDS]
    submissions = (
        Submission.objects.visible_to(request.user).of_year(year).select_related("person", "unit")
    )
    context = {
        "year": year,
        "owing": [row for row in rows if row.status != MET],
        "done": sum(1 for row in rows if row.status == MET),
        "rules": table.rules,
        "page": page_of(submissions, request),
    }
    return render(request, "reports/submission_list.html", context)


def submission_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    person = user.person if user.person_id else None
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        person=person,
        unit=user.unit,
        initial={"year": current_year(), "submitted_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_self = data["on_behalf"] == SubmissionForm.SELF
        submission = Submission(
            kind=data["kind"],
            year=data["year"],
            person=person if by_self else None,
            unit=person.unit if by_self else user.unit,
            title=data["title"],
            text=data["text"],
            submitted_on=data["submitted_on"],
        )
        if data["attachment"]:
            submission.attachment = data["attachment"]
        try:
            submission = submission_save(submission=submission, acting_user=user)
        except ValidationError as exc:  # a date or year that cannot be true
            apply_errors(form, exc)
        else:
            messages.success(request, _("The report was submitted."))
            return redirect("reports-submission-detail", pk=submission.pk)
    return render(request, "reports/submission_form.html", {"form": form})


def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk)
    return render(request, "reports/submission_detail.html", {"submission": submission})


def submission_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for_user(request.user, pk)
    if not submission.attachment:
        raise Http404
    name = submission.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(submission.attachment.open("rb"), as_attachment=True, filename=name)
