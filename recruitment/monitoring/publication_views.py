"""The yearly equality publication's pages: the years to publish and the reports published; a
year's report as a draft to check, then published with a confirmation (HR); its PDF. A
published report is served from its stored copy. HR and live staff network reviewers read
them (a reviewer's every read recorded: ``access.py``); on a draft, a reviewer comments and
HR answers each comment (``comments.py``)."""

from __future__ import annotations

from typing import Any

import rules
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import ReviewerGrant, StatisticsView
from kernel.errors import ActionForbidden, DomainError
from kernel.forms import GovForm
from recruitment.models import PackComment, PublicationPack
from recruitment.monitoring import comments, publication, years
from recruitment.monitoring.access import Reader, released_statistics_reader
from recruitment.monitoring.views import hr_only


class PublishForm(GovForm):
    confirm = forms.BooleanField(
        label="I have checked this report and it is ready to publish",
        error_messages={"required": "Confirm that the report is ready to publish"},
    )


class CommentForm(GovForm):
    body = forms.CharField(
        max_length=comments.LONGEST,
        label="Your comment on this draft",
        help_text="Up to 2,000 characters. HR answers each comment on this page.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter your comment",
            "max_length": "Enter a comment of 2,000 characters or fewer",
        },
    )


class AnswerForm(GovForm):
    answer = forms.CharField(
        max_length=comments.LONGEST,
        label="Your answer",
        help_text="The reviewer reads it beside their comment. You answer once.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter your answer",
            "max_length": "Enter an answer of 2,000 characters or fewer",
        },
    )


@login_required
def publication_list(request: HttpRequest) -> HttpResponse:
    reader = released_statistics_reader(request)
    reader.record(StatisticsView.What.REPORT_LIST, {})
    published = list(PublicationPack.objects.select_related("published_by").defer("pdf", "html"))
    done = {p.year for p in published}
    # Every reporting year with campaigns, the finished ones decided on this first read.
    to_publish = [
        s.year.key for s in years.reporting_years() if s.decided and s.year.key not in done
    ]
    # HR: the comments still to answer, by year.
    waiting = (
        dict(
            PackComment.objects.filter(answered_at=None)
            .values("year")
            .annotate(n=Count("id"))
            .values_list("year", "n")
        )
        if reader.is_hr
        else {}
    )
    return render(
        request,
        "monitoring/publication_list.html",
        {
            "published": published,
            "to_publish": [(year, waiting.get(year, 0)) for year in to_publish],
            "hr": reader.is_hr,
        },
    )


def _year(year: str) -> Any:
    try:
        return publication.year_of(year)
    except ValidationError:
        raise Http404 from None


def _render_year(
    request: HttpRequest,
    reader: Reader,
    period: Any,
    *,
    form: PublishForm | None = None,
    comment_form: CommentForm | None = None,
    answering: tuple[int, AnswerForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """A year's report (published, or the draft computed now), with its comments: the
    reviewer's own and their form, or every one with an answer form for HR."""
    pack = PublicationPack.objects.filter(year=period.key).first()
    if pack is not None:
        body, draft = pack.html, False
    else:
        try:
            body = publication.render_pack(publication.pack_figures(period.key), draft=True)
        except DomainError as exc:
            return render(
                request,
                "monitoring/publication_year.html",
                {"period": period, "not_ready": exc.detail},
            )
        draft = True
    reader.record(StatisticsView.What.REPORT, {"year": period.key, "draft": draft})
    rows: list[dict[str, Any]] = []
    for comment in comments.comments_for(reader.user, period.key):
        answer_form = None
        if reader.is_hr and comment.answered_at is None:
            answer_form = (
                answering[1]
                if answering and answering[0] == comment.pk
                else AnswerForm(prefix=f"answer-{comment.pk}")
            )
        rows.append({"comment": comment, "answer_form": answer_form})
    if reader.is_hr:  # which staff network each comment comes from (the author's grant)
        networks = dict(
            ReviewerGrant.objects.filter(user_id__in={r["comment"].author_id for r in rows})
            .order_by("user_id", "granted_at")
            .values_list("user_id", "network")
        )
        for row in rows:
            row["network"] = networks.get(row["comment"].author_id, "")
    may_comment = draft and not reader.is_hr
    return render(
        request,
        "monitoring/publication_year.html",
        {
            "period": period,
            "pack": pack,
            "body": body,
            "draft": draft,
            "hr": reader.is_hr,
            "form": (form or PublishForm()) if reader.is_hr else None,
            "comments": rows,
            "waiting": sum(1 for r in rows if r["comment"].answered_at is None),
            "comment_form": (comment_form or CommentForm()) if may_comment else None,
            # The one form in error, for the error summary at the top.
            "form_in_error": next(
                (f for f in (form, comment_form, answering and answering[1]) if f and f.errors),
                None,
            ),
        },
        status=status,
    )


@login_required
def publication_year(request: HttpRequest, year: str) -> HttpResponse:
    """A published report as it was published; otherwise the draft, and (HR) publishing it."""
    if request.method == "POST":
        user = hr_only(request)  # publishing is HR's
        period = _year(year)
        if PublicationPack.objects.filter(year=period.key).exists():
            messages.error(request, f"The report for {period.label} is already published.")
            return redirect("publication-year", year=period.key)
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                publication.pack_publish(key=period.key, by=user, confirm=True)
            except DomainError as exc:
                messages.error(request, exc.detail)
            else:
                messages.success(request, f"The report for {period.label} is published.")
            return redirect("publication-year", year=period.key)
        reader = released_statistics_reader(request)
        return _render_year(request, reader, period, form=form)
    reader = released_statistics_reader(request)
    return _render_year(request, reader, _year(year))


@login_required
@require_POST
def report_comment(request: HttpRequest, year: str) -> HttpResponse:
    """A network reviewer's comment on a draft (the form on the year's page)."""
    reader = released_statistics_reader(request)
    if not rules.has_perm("recruitment.comment_on_report", reader.user):
        raise PermissionDenied  # HR answers; a reviewer comments
    period = _year(year)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comments.comment_add(by=reader.user, year=period.key, body=form.cleaned_data["body"])
        except ActionForbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("publication-year", year=period.key)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Your comment is sent. HR will answer it on this page.")
            return redirect(reverse("publication-year", args=[period.key]) + "#comments")
    return _render_year(request, reader, period, comment_form=form, status=400)


@login_required
@require_POST
def report_comment_answer(request: HttpRequest, year: str, pk: int) -> HttpResponse:
    """HR's answer to a comment (a form under each comment still to answer)."""
    reader = Reader(hr_only(request), None)
    period = _year(year)
    form = AnswerForm(request.POST, prefix=f"answer-{pk}")
    if form.is_valid():
        try:
            comments.comment_answer(
                by=reader.user, year=period.key, comment_id=pk, answer=form.cleaned_data["answer"]
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("publication-year", year=period.key)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Your answer is sent.")
            return redirect(reverse("publication-year", args=[period.key]) + "#comments")
    if not comments.comments_for(reader.user, period.key).filter(pk=pk).exists():
        raise Http404
    return _render_year(request, reader, period, answering=(pk, form), status=400)


@login_required
def publication_pdf(request: HttpRequest, year: str) -> HttpResponse:
    """The PDF: as published, or the draft's, made now."""
    reader = released_statistics_reader(request)
    period = _year(year)
    pack = PublicationPack.objects.filter(year=period.key).first()
    if pack is not None:
        pdf, name = bytes(pack.pdf), f"equality-in-recruitment-{period.key}.pdf"
    else:
        try:
            figures = publication.pack_figures(period.key)
        except DomainError:
            raise Http404 from None
        pdf = publication.render_pdf(publication.render_pack(figures, draft=True), figures)
        name = f"equality-in-recruitment-{period.key}-draft.pdf"
    reader.record(StatisticsView.What.REPORT_PDF, {"year": period.key, "draft": pack is None})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
