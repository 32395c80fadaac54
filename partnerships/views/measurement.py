"""Step 8, measurement and learning: reviews (drafted, filled in, completed), lessons, and the
knowledge base of every lesson the user may see.

Reviews and lesson recording write, so those pages (their GET too) need a partnership the user
may edit (`editable_partnership_or_404`). A completed review is read-only: its page shows it,
and any POST to it is refused without changing anything. The knowledge base lists lessons of
the partnerships the user may see; adopting a lesson into a strategy is for coordinators of the
lesson's home city and admins (anyone else gets a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from core.formatting import day
from core.querysets import compiled_once
from core.views import apply_errors, paginate, report_refusal, require
from partnerships import permissions, selectors, services
from partnerships.forms.measurement import (
    LessonForm,
    LessonSearchForm,
    ReviewForm,
    ReviewStartForm,
    number,
    on_target,
)
from partnerships.models import (
    KPI,
    MOU,
    KPIResult,
    Lesson,
    Partner,
    Partnership,
    PartnershipMember,
    Review,
    Step,
    SuccessFactorRating,
)
from partnerships.views.common import editable_partnership_or_404

RECENT_ROWS = 25
LESSONS_PER_PAGE = 25

PAGES = [("review_add", gettext_lazy("Reviews")), ("lesson_add", gettext_lazy("Lessons"))]


# --- Shared plumbing -----------------------------------------------------------------------


_day = day


def _section(partnership: Partnership) -> str:
    return reverse("partnerships:detail", args=[partnership.pk]) + f"#step-{int(Step.MEASUREMENT)}"


def _review_url(review: Review) -> str:
    return reverse("partnerships:review", args=[review.partnership_id, review.pk])


def _render(request, template: str, partnership: Partnership, page: str, title: str, **context):
    context.update(
        partnership=partnership,
        page_title=title,
        section_url=_section(partnership),
        off_step=partnership.step != Step.MEASUREMENT,
        measurement_step=Step.MEASUREMENT,
        step_pages=[
            (reverse(f"partnerships:{name}", args=[partnership.pk]), label, name == page)
            for name, label in PAGES
        ],
    )
    return render(request, f"partnerships/measurement/{template}", context)


def _report(form, exc: DomainError | ValidationError) -> None:
    if isinstance(exc, ValidationError):
        apply_errors(form, exc)
        return
    form.add_error(None, exc.message)
    for item in exc.missing:
        form.add_error(None, item)


@compiled_once(maxsize=1)
def _step_rows(pk: int) -> QuerySet:
    """The UNION `step_records` reads, for the partnership `pk` (compiled once)."""
    columns = ("m_src", "m_id", "m_start", "m_end", "m_label", "m_value", "m_text", "m_step")
    reviews = (
        Review.objects.filter(partnership_id=pk)
        .order_by()
        .annotate(
            m_src=Value("review", output_field=CharField()),
            m_id=F("pk"),
            m_start=F("period_start"),
            m_end=F("period_end"),
            m_label=F("status"),
            m_value=F("decision"),
            m_text=Value("", output_field=TextField()),
            m_step=Value(0, output_field=IntegerField()),
            m_at=F("created_at"),
        )
        .values_list(*columns, "m_at")
    )
    lessons = (
        Lesson.objects.filter(partnership_id=pk)
        .order_by()
        .annotate(
            m_src=Value("lesson", output_field=CharField()),
            m_id=F("pk"),
            m_start=Value(None, output_field=DateField()),
            m_end=Value(None, output_field=DateField()),
            m_label=F("theme"),
            m_value=Value("", output_field=CharField()),
            m_text=F("text"),
            m_step=F("step"),
            m_at=F("created_at"),
        )
        .values_list(*columns, "m_at")
    )
    return reviews.union(lessons, all=True).order_by("m_src", "-m_end", "-m_at", "-m_id")


def step_records(partnership: Partnership) -> tuple[list[Review], list[Lesson]]:
    """The partnership's reviews (latest period first) and lessons (newest first) in ONE query,
    a UNION of the two tables in the same columns, for the partnership page's step 8."""
    found_reviews, found_lessons = [], []
    for src, pk, start, end, label, value, text, step, at in _step_rows(partnership.pk):
        if src == "review":
            found_reviews.append(
                Review(
                    pk=pk,
                    partnership=partnership,
                    period_start=start,
                    period_end=end,
                    status=label,
                    decision=value,
                    created_at=at,
                )
            )
        else:
            found_lessons.append(
                Lesson(pk=pk, partnership=partnership, theme=label, text=text, step=step)
            )
    return found_reviews, found_lessons


# --- Reviews -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_add(request, pk: int):
    """Start a draft review of a period; the reviews so far are listed below the form."""
    partnership = editable_partnership_or_404(request, pk)
    form = ReviewStartForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create_draft(
                partnership=partnership, user=request.user, **form.cleaned_data
            )
        except (DomainError, ValidationError) as exc:
            _report(form, exc)
        else:
            messages.success(
                request,
                _("Draft review started: give each KPI's actual value, then complete it."),
            )
            return redirect(_review_url(review))
    reviews = list(
        partnership.reviews.select_related("completed_by").order_by("-period_end", "-id")[
            :RECENT_ROWS
        ]
    )
    return _render(
        request,
        "review_add.html",
        partnership,
        "review_add",
        _("Reviews"),
        form=form,
        reviews=reviews,
    )


def _review_of(partnership: Partnership, review_id: int) -> Review:
    """The partnership's review with who completed it and the signed MOU's dates (to show
    what a renewal extends), or 404."""
    signed = MOU.objects.filter(partnership=OuterRef("partnership_id"), status=MOU.Status.SIGNED)
    qs = Review.objects.select_related("completed_by", "created_by").annotate(
        signed_mou_expires_on=Subquery(signed.values("expires_on")[:1]),
    )
    return get_object_or_404(qs, pk=review_id, partnership=partnership)


def _kpis_of(partnership: Partnership, review: Review) -> list[KPI]:
    """The partnership's KPIs, each with this review's actual value and note (r_actual,
    r_note; None without a value): one query."""
    results = KPIResult.objects.filter(review=review, kpi=OuterRef("pk"))
    return list(
        KPI.objects.filter(partnership=partnership)
        .annotate(
            r_actual=Subquery(results.values("actual")[:1]),
            r_note=Subquery(results.values("note")[:1]),
        )
        .order_by("name", "pk")
    )


def _review_page(request, partnership, review, form=None, *, status=200):
    kpis = getattr(form, "kpis", None)
    if kpis is None:
        kpis = _kpis_of(partnership, review)
    ratings = {r.factor: r for r in SuccessFactorRating.objects.filter(review=review)}
    lessons = list(Lesson.objects.filter(review=review).order_by("-created_at", "-id"))
    context = {
        "review": review,
        "lessons": lessons,
        "completed": review.status == Review.Status.COMPLETED,
        "lesson_add_url": reverse("partnerships:lesson_add", args=[partnership.pk])
        + f"?review={review.pk}",
    }
    if context["completed"]:
        context["kpi_rows"] = [
            {
                "kpi": k,
                "actual": number(k.r_actual),
                "target": number(k.target),
                "baseline": number(k.baseline),
                "due": number(k.due_by(review.period_end)),
                "on_target": on_target(k, k.r_actual, review.period_end),
            }
            for k in kpis
        ]
        context["factor_rows"] = [
            {"label": f.label, "rating": ratings.get(f.value)} for f in SuccessFactorRating.Factor
        ]
        context["causes"] = [
            Review._meta.get_field(name).verbose_name.capitalize()
            for name in Review.FAILURE_CAUSE_FIELDS
            if getattr(review, name)
        ]
    else:
        form = form or ReviewForm(instance=review, kpis=kpis, ratings=ratings)
        context["form"] = form
        context["complete_url"] = reverse(
            "partnerships:review_complete", args=[partnership.pk, review.pk]
        )
    title = _("Review of %(start)s – %(end)s") % {
        "start": _day(review.period_start),
        "end": _day(review.period_end),
    }
    response = _render(request, "review.html", partnership, "review_add", title, **context)
    response.status_code = status
    return response


def _posted_form(request, partnership, review) -> ReviewForm:
    ratings = {r.factor: r for r in SuccessFactorRating.objects.filter(review=review)}
    return ReviewForm(
        request.POST, instance=review, kpis=_kpis_of(partnership, review), ratings=ratings
    )


def _refuse_completed(request, review: Review):
    if review.completed_on:
        text = _(
            "This review was completed on %(day)s and is read-only: amend it by writing a new "
            "review."
        ) % {"day": _day(review.completed_on)}
    else:
        text = _("This review was completed and is read-only: amend it by writing a new review.")
    report_refusal(request, DomainError(text))
    return redirect(_review_url(review))


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk: int, review_id: int):
    """A draft review's form (Save draft; Complete posts the same form to `review_complete`),
    or a completed review, read-only."""
    partnership = editable_partnership_or_404(request, pk)
    current = _review_of(partnership, review_id)
    if request.method == "GET":
        return _review_page(request, partnership, current)
    if current.status == Review.Status.COMPLETED:
        return _refuse_completed(request, current)
    form = _posted_form(request, partnership, current)
    if form.is_valid():
        try:
            services.review_update_draft(
                review=current,
                user=request.user,
                kpi_results=form.kpi_results(),
                factor_ratings=form.factor_ratings(),
                **form.review_fields(),
            )
        except (DomainError, ValidationError) as exc:
            _report(form, exc)
        else:
            messages.success(request, _("Draft review saved."))
            return redirect(_review_url(current))
    return _review_page(request, partnership, _review_of(partnership, review_id), form)


def _completed_message(review: Review) -> str:
    decision = Review.Decision(review.decision)
    if decision == Review.Decision.RENEW:
        return _("Review completed. The MOU now expires on %(day)s.") % {
            "day": _day(review.new_expiry_on)
        }
    if decision == Review.Decision.END:
        return _(
            "Review completed. The partnership ends on %(day)s and its MOU is terminated; "
            "no further review is planned."
        ) % {"day": _day(review.end_on)}
    return {
        Review.Decision.CONTINUE: _("Review completed. The partnership continues as planned."),
        Review.Decision.ADJUST: _("Review completed. The partnership continues; adjust its plan."),
        Review.Decision.PAUSE: _("Review completed. The partnership is paused."),
    }[decision]


@login_required
@require_POST
def review_complete(request, pk: int, review_id: int):
    """Save the posted review form and complete the review, all or nothing: on any problem
    nothing is saved and the form comes back with the reasons on its fields."""
    partnership = editable_partnership_or_404(request, pk)
    current = _review_of(partnership, review_id)
    if current.status == Review.Status.COMPLETED:
        return _refuse_completed(request, current)
    form = _posted_form(request, partnership, current)
    if form.is_valid():
        try:
            with transaction.atomic():
                services.review_update_draft(
                    review=current,
                    user=request.user,
                    kpi_results=form.kpi_results(),
                    factor_ratings=form.factor_ratings(),
                    **form.review_fields(),
                )
                done = services.review_complete(review=current, user=request.user)
        except (DomainError, ValidationError) as exc:
            _report(form, exc)
        else:
            messages.success(request, _completed_message(done))
            return redirect(_review_url(done))
    return _review_page(request, partnership, _review_of(partnership, review_id), form)


# --- Lessons -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lesson_add(request, pk: int):
    """Record a lesson of this partnership, from one of its reviews (?review=<id> preselects
    it) or on its own."""
    partnership = editable_partnership_or_404(request, pk)
    reviews = list(partnership.reviews.order_by("-period_end", "-id"))
    initial = {}
    wanted = request.GET.get("review", "")
    if request.method == "GET" and wanted.isdigit() and len(wanted) < 12:
        initial["review"] = int(wanted)
    data = request.POST if request.method == "POST" else None
    form = LessonForm(data, reviews=reviews, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_add(partnership=partnership, user=request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _report(form, exc)
        else:
            messages.success(request, _("Lesson recorded."))
            return redirect(_section(partnership))
    lessons = list(
        partnership.lessons.select_related("review", "adopted_in").order_by("-created_at", "-id")[
            :RECENT_ROWS
        ]
    )
    return _render(
        request,
        "lesson_add.html",
        partnership,
        "lesson_add",
        _("Lessons"),
        form=form,
        lessons=lessons,
        knowledge_base_url=reverse("partnerships:lessons"),
    )


def _home_of(partnership_ref: str) -> dict:
    home = PartnershipMember.objects.filter(
        partnership=OuterRef(partnership_ref), role=PartnershipMember.Role.HOME
    )
    return {
        "home_id": Subquery(home.values("partner_id")[:1]),
        "home_name": Subquery(home.values("partner__name")[:1]),
    }


@login_required
@require_GET
def lessons(request):
    """The city's alliance knowledge base: every lesson of the partnerships the user may see,
    searchable by text and filtered by step, theme, city and adoption; paginated."""
    visible = selectors.lessons_visible_to(request.user)
    themes: dict[str, str] = {}
    for theme in visible.order_by("theme").values_list("theme", flat=True).distinct():
        themes.setdefault(theme.casefold(), theme)
    cities = list(
        Partner.objects.filter(
            Exists(
                PartnershipMember.objects.filter(
                    partner=OuterRef("pk"),
                    partnership__in=visible.values("partnership_id"),
                )
            )
        )
        .order_by("name")
        .values_list("pk", "name")
    )
    form = LessonSearchForm(request.GET or None, themes=sorted(themes.values()), cities=cities)
    wanted = form.filters() if form.is_bound else {}
    qs = selectors.lessons_visible_to(request.user, mine=wanted.get("scope") == "mine")
    if wanted.get("q"):
        text = wanted["q"].strip()
        qs = qs.filter(
            Q(theme__icontains=text)
            | Q(text__icontains=text)
            | Q(partnership__title__icontains=text)
        )
    if wanted.get("step"):
        qs = qs.filter(step=wanted["step"])
    if wanted.get("theme"):
        qs = qs.filter(theme__iexact=wanted["theme"])
    if wanted.get("city"):
        qs = qs.filter(
            Exists(
                PartnershipMember.objects.filter(
                    partnership=OuterRef("partnership_id"), partner_id=wanted["city"]
                )
            )
        )
    if wanted.get("adopted") == "yes":
        qs = qs.filter(adopted_in__isnull=False)
    elif wanted.get("adopted") == "no":
        qs = qs.filter(adopted_in__isnull=True)
    qs = (
        qs.select_related("partnership", "review", "adopted_in", "recorded_by")
        .annotate(**_home_of("partnership_id"))
        .order_by("-created_at", "-id")
    )
    paged = paginate(request, qs, LESSONS_PER_PAGE)
    rows = paged["page"].object_list
    urls = selectors.reading_urls(request.user, [lesson.partnership for lesson in rows])
    for lesson in rows:
        lesson.partnership_url = urls[lesson.partnership_id]  # a shared one: maybe no link
        lesson.can_adopt = (
            lesson.adopted_in_id is None
            and lesson.home_id is not None
            and permissions.is_coordinator_of(request.user, lesson.home_id)
        )
    return render(
        request,
        "partnerships/measurement/lessons.html",
        {
            "form": form,
            **paged,
            "lessons": rows,
            "here": request.get_full_path(),
        },
    )


@login_required
@require_POST
def lesson_adopt(request, lesson_id: int):
    """Adopt a lesson into its home city's next strategy version (coordinators of that city and
    admins; anyone else gets a 404)."""
    visible = selectors.lessons_visible_to(request.user)
    lesson = get_object_or_404(visible.annotate(**_home_of("partnership_id")), pk=lesson_id)
    home_id = lesson.home_id
    require(home_id is not None and permissions.is_coordinator_of(request.user, home_id))
    try:
        draft = services.lesson_adopt_into_strategy(lessons=lesson, user=request.user)
    except (DomainError, ValidationError) as exc:
        report_refusal(request, exc)
    else:
        messages.success(
            request,
            _(
                "“%(theme)s” is adopted into %(city)s's strategy version %(version)s (a draft: "
                "review and approve it on the strategy page)."
            )
            % {"theme": lesson.theme, "city": lesson.home_name, "version": draft.version},
        )
    target = request.POST.get("next", "")
    # A path of this site only: redirect() would take any other word for a URL name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("partnerships:lessons")
    return redirect(target)


urlpatterns = [
    path("partnerships/<id:pk>/reviews/add/", review_add, name="review_add"),
    path("partnerships/<id:pk>/reviews/<id:review_id>/", review, name="review"),
    path(
        "partnerships/<id:pk>/reviews/<id:review_id>/complete/",
        review_complete,
        name="review_complete",
    ),
    path("partnerships/<id:pk>/lessons/add/", lesson_add, name="lesson_add"),
    path("lessons/", lessons, name="lessons"),
    path("lessons/<id:lesson_id>/adopt/", lesson_adopt, name="lesson_adopt"),
]
