"""A partnership's records (MOUs, reviews, activities, sub-alliances, outcomes, lessons,
comments), each list behind the partnership's own visibility (404 for another city's), and
the writes the pages make, through the same services: log an activity, record KPI actuals in
a draft review, comment, record a sub-alliance's outcome."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from alliances import permissions as alliance_permissions
from alliances import selectors as alliance_selectors
from alliances.models import SubAlliance
from api import serializers as s
from api.views.common import REFUSED, ApiListView, ApiView, editable, visible
from businesses import permissions as business_permissions
from businesses import services as business_services
from businesses.models import Outcome
from discussion import permissions as discussion_permissions
from discussion import services as discussion_services
from discussion.models import Comment
from partnerships import services
from partnerships.models import MOU, KPIResult, MOUSignatory, Partner, Review


class PartnershipRecords(ApiListView):
    """A list of one partnership's records, newest first."""

    def records(self, partnership):
        raise NotImplementedError

    def get_queryset(self):
        self.partnership = visible(self.request, self.kwargs["pk"])
        return self.records(self.partnership)


class MouList(PartnershipRecords):
    serializer_class = s.MouSerializer

    def records(self, partnership):
        return MOU.objects.filter(partnership=partnership).prefetch_related(
            "areas",
            Prefetch("signatories", queryset=MOUSignatory.objects.select_related("partner")),
        )


class ReviewList(PartnershipRecords):
    serializer_class = s.ReviewSerializer

    def records(self, partnership):
        return Review.objects.filter(partnership=partnership).prefetch_related(
            Prefetch("kpi_results", queryset=KPIResult.objects.select_related("kpi"))
        )


class ActivityList(PartnershipRecords):
    """The activities logged; POST logs one (as the page's form: `services.activity_log`)."""

    serializer_class = s.ActivitySerializer

    def records(self, partnership):
        return partnership.activities.all()

    @extend_schema(responses={201: s.ActivitySerializer, **REFUSED})
    def post(self, request, pk: int):
        partnership = editable(request, pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {"occurred_on": timezone.localdate(), **data.validated_data}
        activity = services.activity_log(partnership=partnership, user=request.user, **values)
        return Response(self.get_serializer(activity).data, status=status.HTTP_201_CREATED)


class SubAllianceList(PartnershipRecords):
    serializer_class = s.SubAllianceSerializer

    def records(self, partnership):
        # The same people as the partnership (alliances.permissions), said where it is decided.
        if not alliance_permissions.can_view_sub_alliances(self.request.user, partnership):
            raise exceptions.NotFound()
        return alliance_selectors.sub_alliances_of(partnership)


class OutcomeList(PartnershipRecords):
    """The outcomes of all the partnership's sub-alliances."""

    serializer_class = s.OutcomeSerializer

    def records(self, partnership):
        return Outcome.objects.filter(sub_alliance__partnership=partnership).select_related(
            "partner"
        )


class LessonList(PartnershipRecords):
    serializer_class = s.LessonSerializer

    def records(self, partnership):
        return partnership.lessons.all()


class CommentList(PartnershipRecords):
    """The partnership's discussion and its sub-alliances' (`sub_alliance` says which); POST
    comments, as on the thread's page (`discussion.services.comment_post`)."""

    serializer_class = s.CommentSerializer

    def records(self, partnership):
        if not discussion_permissions.can_see_thread(self.request.user, partnership):
            raise exceptions.NotFound()
        return Comment.objects.filter(partnership=partnership).select_related("author")

    @extend_schema(request=s.CommentInSerializer, responses={201: s.CommentSerializer, **REFUSED})
    def post(self, request, pk: int):
        partnership = visible(request, pk)
        data = s.CommentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sub_alliance = None
        if data.validated_data.get("sub_alliance"):
            sub_alliance = SubAlliance.objects.filter(
                partnership=partnership, pk=data.validated_data["sub_alliance"]
            ).first()
            if sub_alliance is None:
                raise exceptions.ValidationError(
                    {"sub_alliance": [_("No such sub-alliance in this partnership.")]}
                )
        posted = discussion_services.comment_post(
            user=request.user,
            partnership=partnership,
            body=data.validated_data["body"],
            sub_alliance=sub_alliance,
        )
        return Response(s.CommentSerializer(posted.comment).data, status=status.HTTP_201_CREATED)


class ReviewKpiActuals(ApiView):
    """Record KPI actual values in a draft review (`services.review_update_draft`, as the
    review's page): `actual: null` removes a value. A completed review refuses (409)."""

    serializer_class = s.KpiActualsInSerializer

    @extend_schema(responses={200: s.ReviewSerializer, **REFUSED})
    def post(self, request, pk: int, review_id: int):
        partnership = editable(request, pk)
        review = get_object_or_404(Review, pk=review_id, partnership=partnership)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {
            row["kpi"]: {"actual": row["actual"], "note": row.get("note", "")}
            for row in data.validated_data["results"]
        }
        services.review_update_draft(review=review, user=request.user, kpi_results=values)
        review = Review.objects.prefetch_related(
            Prefetch("kpi_results", queryset=KPIResult.objects.select_related("kpi"))
        ).get(pk=review.pk)
        return Response(s.ReviewSerializer(review).data)


def _sub_alliance(request, sub_alliance_id: int) -> SubAlliance:
    """A sub-alliance whoever may see it: its partnership's officers, admins, and the staff of
    a chamber taking part (businesses.permissions); a 404 for anyone else."""
    sub_alliance = get_object_or_404(
        SubAlliance.objects.select_related("partnership").prefetch_related("partnership__members"),
        pk=sub_alliance_id,
    )
    user = request.user
    if not (
        alliance_permissions.can_view_sub_alliances(user, sub_alliance.partnership)
        or business_permissions.can_see_sub_alliance_as_chamber(user, sub_alliance)
    ):
        raise exceptions.NotFound()
    return sub_alliance


class SubAllianceOutcomes(ApiListView):
    """A sub-alliance's outcomes; POST records one (`businesses.services.outcome_record`): its
    partnership's officers, and the staff of a chamber taking part."""

    serializer_class = s.OutcomeSerializer

    def get_queryset(self):
        sub_alliance = _sub_alliance(self.request, self.kwargs["sub_alliance_id"])
        return Outcome.objects.filter(sub_alliance=sub_alliance).select_related("partner")

    @extend_schema(request=s.OutcomeInSerializer, responses={201: s.OutcomeSerializer, **REFUSED})
    def post(self, request, sub_alliance_id: int):
        sub_alliance = _sub_alliance(request, sub_alliance_id)
        if not business_permissions.can_record_outcome(request.user, sub_alliance):
            raise exceptions.PermissionDenied(
                _("Only officers of the partner cities, or a chamber taking part, record these.")
            )
        data = s.OutcomeInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        city_id = values.pop("city", None)
        partner = None
        if city_id:
            partner = Partner.objects.filter(pk=city_id).first()
            if partner is None:
                raise exceptions.ValidationError({"city": [_("No such city.")]})
        outcome = business_services.outcome_record(
            sub_alliance=sub_alliance, user=request.user, partner=partner, **values
        )
        outcome = Outcome.objects.select_related("partner").get(pk=outcome.pk)
        return Response(s.OutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)
