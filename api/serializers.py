"""What the API answers and accepts. Output serializers read rows that the views prepared with
the selectors (prefetched, annotated): a serializer never asks a query of its own."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ApiToken
from alliances.models import SubAlliance
from businesses.models import Outcome
from core.text import ControlCharacterValidator
from partnerships.models import (
    MOU,
    Activity,
    Lesson,
    Partner,
    Partnership,
    PartnershipMember,
    Review,
    Step,
)

# --- Input text: what the web forms refuse (core/forms.py), the API refuses -------------------


class TextChecked:
    """Mixin (first among the bases) of a serializer that takes text: every text field refuses
    control characters, and a one-line text (a model's CharField, or named in `one_line`)
    line breaks too, as the web's forms do. Found from outside: an activity's title took a
    bell, an escape sequence and a line break through the API that its web form refuses."""

    one_line: tuple[str, ...] = ()

    def get_fields(self):
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            if not isinstance(field, serializers.CharField) or field.read_only:
                continue
            single = name in self.one_line
            if model is not None and not single:
                try:
                    column = model._meta.get_field(field.source or name)  # not bound yet
                except FieldDoesNotExist:
                    column = None
                single = isinstance(column, models.CharField)
            field.validators.append(ControlCharacterValidator(multiline=not single))
        return fields


# --- Errors (api/errors.py) ----------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(required=False, help_text=_("Per field, for invalid input."))


class RefusedSerializer(ErrorSerializer):
    missing = serializers.ListField(
        child=serializers.CharField(), help_text=_("What the step's gate still asks for.")
    )


# --- Small pieces -------------------------------------------------------------------------------


class CityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()


class MemberSerializer(serializers.Serializer):
    city = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=PartnershipMember.Role.choices)
    joined_on = serializers.DateField()

    @extend_schema_field(CityRefSerializer)
    def get_city(self, member) -> dict:
        p = member.partner
        return {"id": p.pk, "name": p.name, "country": str(p.country)}


class GateSerializer(serializers.Serializer):
    next_step = serializers.IntegerField(allow_null=True)
    next_step_label = serializers.CharField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())


class MouSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=MOU.Status.choices)
    signed_on = serializers.DateField(allow_null=True)
    effective_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)


class LatestActualSerializer(serializers.Serializer):
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    review_id = serializers.IntegerField()
    period_end = serializers.DateField()
    review_status = serializers.ChoiceField(choices=Review.Status.choices)
    due = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "The value due by the end of that review's period (the share of the target its "
            "time allows); on_target compares the actual with it."
        ),
    )
    on_target = serializers.BooleanField()


class KpiSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2)
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    start_date = serializers.DateField(help_text=_("The day the baseline holds."))
    target_date = serializers.DateField(
        allow_null=True,
        help_text=_(
            "When the target should be reached; null for KPIs agreed before target dates "
            "(every review expects the whole target)."
        ),
    )
    latest = serializers.SerializerMethodField()

    @extend_schema_field(LatestActualSerializer(allow_null=True))
    def get_latest(self, kpi) -> dict | None:
        if kpi.latest_actual is None:
            return None
        actual = Decimal(kpi.latest_actual)
        return {
            "actual": f"{actual:.2f}",
            "review_id": kpi.latest_review_id,
            "period_end": kpi.latest_period_end,
            "review_status": kpi.latest_review_status,
            "due": f"{kpi.due_by(kpi.latest_period_end):.2f}",
            "on_target": kpi.reached(actual, on=kpi.latest_period_end),
        }


class DeductionSerializer(serializers.Serializer):
    points = serializers.IntegerField()
    reason = serializers.CharField()


class HealthSerializer(serializers.Serializer):
    score = serializers.IntegerField(allow_null=True)
    band = serializers.ChoiceField(choices=["healthy", "at_risk", "weak", "finished"])
    label = serializers.CharField()
    deductions = DeductionSerializer(many=True)
    not_assessed = serializers.ListField(child=serializers.CharField())


# --- Partnerships -------------------------------------------------------------------------------


class PartnershipSerializer(serializers.Serializer):
    """A row of the list, and the head of one partnership: what the list page shows and more.
    The view attaches `gate`, `kpi_rows`, `mou_rows` and `health` (api/views/partnerships.py)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=Partnership.Category.choices)
    status = serializers.ChoiceField(choices=Partnership.Status.choices)
    step = serializers.ChoiceField(choices=Step.choices)
    step_label = serializers.CharField()
    step_entered_at = serializers.DateTimeField()
    published = serializers.BooleanField()
    established_on = serializers.DateField(allow_null=True)
    next_review_on = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()
    areas = serializers.SerializerMethodField()
    members = MemberSerializer(many=True, source="members.all")
    gate = GateSerializer()
    mou = serializers.SerializerMethodField()
    kpis = KpiSerializer(many=True, source="kpi_rows")
    health = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_areas(self, p) -> list[str]:
        return [a for a in (getattr(p, "area_names", None) or "").split(", ") if a]

    @extend_schema_field(MouSummarySerializer(allow_null=True))
    def get_mou(self, p) -> dict | None:
        """The signed MOU if there is one, else the latest."""
        mous = sorted(p.mou_rows, key=lambda m: (m.status == MOU.Status.SIGNED, m.created_at, m.pk))
        return MouSummarySerializer(mous[-1]).data if mous else None

    @extend_schema_field(HealthSerializer)
    def get_health(self, p) -> dict:
        h = p.health
        return {
            "score": h.score,
            "band": h.band,
            "label": str(h.label),
            "deductions": [{"points": d.points, "reason": str(d.reason)} for d in h.deductions],
            "not_assessed": [str(r) for r in h.not_assessed],
        }

    def get_url(self, p) -> str:
        return reverse("api:partnership_detail", args=[p.pk])


class PartnershipDetailSerializer(PartnershipSerializer):
    summary = serializers.CharField()
    orientation = serializers.CharField()
    phase = serializers.CharField()
    relationship_strength = serializers.IntegerField(allow_null=True)
    review_cadence_months = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


# --- A partnership's records --------------------------------------------------------------------


class SignatorySerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    city = serializers.CharField(source="partner.name")


class MouSerializer(serializers.ModelSerializer):
    areas = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    signatories = SignatorySerializer(many=True, read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = MOU
        fields = [
            "id", "status", "signed_on", "effective_on", "expires_on", "ceremony_on",
            "ceremony_place", "termination_conditions", "other_terms", "terminated_on",
            "termination_reason", "areas", "signatories", "has_document", "created_at",
            "updated_at",
        ]  # fmt: skip

    def get_has_document(self, mou) -> bool:
        return bool(mou.document)


class KpiResultSerializer(serializers.Serializer):
    kpi_id = serializers.IntegerField()
    kpi = serializers.CharField(source="kpi.name")
    actual = serializers.DecimalField(max_digits=14, decimal_places=2)
    note = serializers.CharField()
    due = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "The KPI's value due by the end of the review's period; on_target compares the "
            "actual with it."
        ),
    )
    on_target = serializers.BooleanField()


class ReviewSerializer(serializers.ModelSerializer):
    kpi_results = KpiResultSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id", "period_start", "period_end", "status", "narrative", "decision",
            "decision_reason", "effectiveness", "efficiency", "completed_on", "created_at",
            "kpi_results",
        ]  # fmt: skip


class ActivitySerializer(TextChecked, serializers.ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "kind", "title", "occurred_on", "description", "participants", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"participants": {"min_value": 0, "max_value": 10_000_000}}


class LessonSerializer(TextChecked, serializers.ModelSerializer):
    class Meta:
        model = Lesson
        fields = ["id", "step", "theme", "text", "shared", "review", "created_at"]


class PartySerializer(serializers.Serializer):
    organisation = serializers.CharField(source="organisation.name")
    kind = serializers.CharField(source="organisation.kind")
    city = serializers.CharField(source="partner.name", allow_null=True)
    role = serializers.CharField()


class SubAllianceSerializer(serializers.ModelSerializer):
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = SubAlliance
        fields = [
            "id", "name", "purpose", "grouping", "form", "status", "strength", "started_on",
            "ended_on", "linkage_scope", "linkage_locus", "linkage_direction", "parties",
        ]  # fmt: skip


class OutcomeSerializer(serializers.ModelSerializer):
    sub_alliance = serializers.IntegerField(source="sub_alliance_id", read_only=True)
    city = serializers.CharField(source="partner.name", allow_null=True, read_only=True)

    class Meta:
        model = Outcome
        fields = [
            "id", "sub_alliance", "kind", "amount", "currency", "occurred_on", "city", "note",
            "recorded_at",
        ]  # fmt: skip


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sub_alliance = serializers.IntegerField(source="sub_alliance_id", allow_null=True)
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    removed = serializers.SerializerMethodField()

    def get_author(self, c) -> str:
        u = c.author
        return (u.get_full_name() or u.username) if u else ""

    def get_removed(self, c) -> bool:
        return c.removed_at is not None


# --- Partner cities -----------------------------------------------------------------------------


class CitySerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    partnership_count = serializers.IntegerField()

    class Meta:
        model = Partner
        fields = [
            "id", "name", "province", "country", "kind", "population", "latitude", "longitude",
            "geonameid", "global_region", "website", "partnership_count",
        ]  # fmt: skip


class PointSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class CityFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = PointSerializer()
    properties = serializers.DictField()


class CityCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = CityFeatureSerializer(many=True)


class LinesSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["MultiLineString"])
    coordinates = serializers.ListField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.FloatField()))
    )


class LineFeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = LinesSerializer()
    properties = serializers.DictField()


class LineCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = LineFeatureSerializer(many=True)


# --- The public registry ------------------------------------------------------------------------


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    city = serializers.CharField(source="partner.name", allow_null=True)
    email = serializers.SerializerMethodField()

    def get_email(self, champion) -> str | None:
        """Only to signed-in chamber staff, officers and admins (businesses' registry pages)."""
        return champion.email if self.context.get("show_emails") else None


class RegistrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    category = serializers.ChoiceField(choices=Partnership.Category.choices)
    step = serializers.ChoiceField(choices=Step.choices)
    established_on = serializers.DateField(allow_null=True)
    areas = serializers.SerializerMethodField()
    members = MemberSerializer(many=True, source="members.all")
    mou = serializers.SerializerMethodField()
    contacts = ContactSerializer(many=True)

    def get_areas(self, p) -> list[str]:
        return [a for a in (getattr(p, "area_names", None) or "").split(", ") if a]

    @extend_schema_field(MouSummarySerializer(allow_null=True))
    def get_mou(self, p) -> dict | None:
        """The MOU in force, as the registry page shows it."""
        mous = sorted(
            p.signed_mous,
            key=lambda m: (m.effective_on or m.signed_on or m.created_at.date(), m.pk),
        )
        return MouSummarySerializer(mous[-1]).data if mous else None


# --- Writes -------------------------------------------------------------------------------------


class MoveSerializer(serializers.Serializer):
    from_step = serializers.ChoiceField(
        choices=Step.choices,
        help_text=_("The step the partnership is at, as you read it: refused if it moved since."),
    )


class ReturnSerializer(TextChecked, MoveSerializer):
    to_step = serializers.ChoiceField(choices=Step.choices)
    reason = serializers.CharField(max_length=2000)


class TransitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    from_step = serializers.IntegerField()
    to_step = serializers.IntegerField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class MoveResultSerializer(serializers.Serializer):
    transition = TransitionSerializer()
    partnership = PartnershipDetailSerializer()


class CommentInSerializer(TextChecked, serializers.Serializer):
    body = serializers.CharField(max_length=10_000)
    sub_alliance = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class OutcomeInSerializer(TextChecked, serializers.Serializer):
    one_line = ("currency",)

    kind = serializers.ChoiceField(choices=Outcome.Kind.choices)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal(0))
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")
    occurred_on = serializers.DateField(required=False, allow_null=True)
    city = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class KpiActualInSerializer(TextChecked, serializers.Serializer):
    kpi = serializers.IntegerField(min_value=1)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=240)


class KpiActualsInSerializer(serializers.Serializer):
    results = KpiActualInSerializer(many=True, allow_empty=False)


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "access", "created_at", "last_used_at"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    authenticated_by = serializers.ChoiceField(choices=["token", "session"])
    token = TokenSerializer(allow_null=True)
    read_only = serializers.BooleanField()
