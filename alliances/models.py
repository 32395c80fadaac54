"""Organisations of the partner cities, and the sub-alliances they form within a partnership.

A partnership is a springboard for sub-alliances between the local governments, civil society
and businesses of both cities. Each sub-alliance records its form, for business ones the type of
linkage, its relationship strength over time (Lendrum's 0–10 scale), the five start-up tasks of
an alliance and a shared scorecard to which each side adds its own measures.

Rules spanning several rows (every party belongs to a member city, both sides take part, a
bilateral linkage has exactly two parties) live in `alliances.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.search import vector as search_vector
from partnerships.models import Partner, Partnership, Sector

STRENGTH_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


def normalise_name(name: str) -> str:
    """Names are compared case-insensitively and without stray spaces ("Acme  Foods " is
    "Acme Foods"), so they are stored with single inner spaces and no outer ones."""
    return " ".join((name or "").split())


class Grouping(models.TextChoices):
    """The three groupings on each side of a partnership (and sub-alliances mixing them)."""

    GOVERNMENT = "government", _("Local government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    BUSINESS = "business", _("Business")
    MIXED = "mixed", _("Mixed")


class Organisation(models.Model):
    """Any party to a sub-alliance, belonging to one partner city."""

    class Kind(models.TextChoices):
        MUNICIPAL = "municipal", _("Municipal department")
        CIVIL_SOCIETY = "civil_society", _("Civil society organisation")
        BUSINESS = "business", _("Business")
        # A business association or chamber of commerce; staff accounts hang off
        # `businesses.BusinessAssociation`, which wraps the organisation.
        CHAMBER = "chamber", _("Business association or chamber")
        EDUCATION = "education", _("University or school")
        # Channels development aid in decentralised cooperation; fits any grouping.
        DONOR = "donor", _("Donor agency")

    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("city")
    )
    sectors = models.ManyToManyField(
        Sector, blank=True, related_name="organisations", verbose_name=_("sectors")
    )
    website = models.URLField(blank=True, verbose_name=_("website"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["name"]
        constraints = [
            # The same organisation (name + city) is never recorded twice, whatever its case.
            models.UniqueConstraint(
                Lower("name"),
                "partner",
                name="organisation_unique_name_per_city",
                violation_error_message=_(
                    "An organisation of this name already exists in this city."
                ),
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="organisation_has_name"),
        ]
        indexes = [
            models.Index(fields=["partner", "kind"]),
            models.Index(fields=["kind", "name"]),
            # The portal's search of businesses and chambers by name (core/search.py; built on
            # PostgreSQL only).
            GinIndex(search_vector("name"), name="organisation_search"),
        ]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    # Which grouping each kind belongs to; a donor agency fits any grouping (None).
    GROUPING_OF_KIND = {
        Kind.MUNICIPAL: Grouping.GOVERNMENT,
        Kind.CIVIL_SOCIETY: Grouping.CIVIL_SOCIETY,
        Kind.EDUCATION: Grouping.CIVIL_SOCIETY,
        Kind.BUSINESS: Grouping.BUSINESS,
        Kind.CHAMBER: Grouping.BUSINESS,
        Kind.DONOR: None,
    }

    @property
    def grouping(self) -> str | None:
        return self.GROUPING_OF_KIND.get(self.kind)

    def clean(self) -> None:
        self.name = normalise_name(self.name)
        if not self.name:
            raise ValidationError({"name": _("Give the organisation's name.")})


class SubAlliance(models.Model):
    """A sub-alliance within a partnership, between organisations of both sides."""

    class Form(models.TextChoices):
        # Forms of collaboration (IISD).
        ALLIANCE = "alliance", _("Alliance")  # real sharing of money, time and influence
        COALITION = "coalition", _("Coalition")  # a common, often political, goal
        KNOWLEDGE_NETWORK = "knowledge_network", _("Formal knowledge network")  # time-bound experts
        PARTNERSHIP = "partnership", _("Partnership")  # shared responsibility for a goal

    class LinkageScope(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral")  # exactly two firms
        MULTILATERAL = "multilateral", _("Multilateral")  # a group of firms, e.g. a value chain

    class LinkageLocus(models.TextChoices):
        LOCAL = "local", _("Local")  # serves the local market of one city
        EXTERNAL = "external", _("External")  # reaches buyers or suppliers in the other city

    class LinkageDirection(models.TextChoices):
        VERTICAL = "vertical", _("Vertical (buyer–supplier)")
        HORIZONTAL = "horizontal", _("Horizontal (same stage of the value chain)")

    class Status(models.TextChoices):
        FORMING = "forming", _("Forming")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")  # no activity lately, not ended
        ENDED = "ended", _("Ended")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="sub_alliances",
        verbose_name=_("partnership"),
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    purpose = models.TextField(
        verbose_name=_("purpose"),
    )
    grouping = models.CharField(max_length=16, choices=Grouping.choices, verbose_name=_("grouping"))
    form = models.CharField(max_length=20, choices=Form.choices, verbose_name=_("form"))
    linkage_scope = models.CharField(
        max_length=16, choices=LinkageScope.choices, blank=True, verbose_name=_("linkage scope")
    )
    linkage_locus = models.CharField(
        max_length=16, choices=LinkageLocus.choices, blank=True, verbose_name=_("linkage locus")
    )
    linkage_direction = models.CharField(
        max_length=16,
        choices=LinkageDirection.choices,
        blank=True,
        verbose_name=_("linkage direction"),
    )
    # Empty until someone assesses it: 0 is an assessment ("none, by choice"), not a default.
    strength = models.PositiveSmallIntegerField(
        _("relationship strength"),
        null=True,
        blank=True,
        default=None,
        validators=STRENGTH_VALIDATORS,
        help_text=_(
            "Lendrum's scale: 0 none, 1–4 vendor, 5–7 supplier, 8–10 partner; "
            "empty: not assessed yet."
        ),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.FORMING, verbose_name=_("status")
    )
    started_on = models.DateField(null=True, blank=True, verbose_name=_("started on"))
    ended_on = models.DateField(null=True, blank=True, verbose_name=_("ended on"))
    organisations = models.ManyToManyField(
        Organisation,
        through="SubAllianceParty",
        related_name="sub_alliances",
        verbose_name=_("organisations"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    LINKAGE_FIELDS = ("linkage_scope", "linkage_locus", "linkage_direction")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(strength__isnull=True)
                | models.Q(strength__gte=0, strength__lte=10),
                name="suballiance_strength_0_10",
                violation_error_message=_("Relationship strength runs from 0 to 10."),
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(started_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="suballiance_end_after_start",
                violation_error_message=_("A sub-alliance cannot end before it started."),
            ),
            # Linkage types describe business linkages only.
            models.CheckConstraint(
                condition=models.Q(grouping="business")
                | models.Q(linkage_scope="", linkage_locus="", linkage_direction=""),
                name="suballiance_linkage_only_for_business",
                violation_error_message=_("Only business sub-alliances have a linkage type."),
            ),
            models.UniqueConstraint(
                "partnership",
                Lower("name"),
                name="suballiance_unique_name_per_partnership",
                violation_error_message=_(
                    "This partnership already has a sub-alliance of this name."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["grouping", "status"]),
        ]
        verbose_name = _("sub alliance")
        verbose_name_plural = _("sub alliances")

    def __str__(self) -> str:
        return self.name

    @property
    def strength_band(self) -> str:
        """Lendrum's band for the strength: none, vendor, supplier or partner (or not
        assessed yet)."""
        if self.strength is None:
            return gettext("Not assessed yet")
        if self.strength == 0:
            return pgettext("Lendrum's band", "None")
        if self.strength <= 4:
            return pgettext("Lendrum's band", "Vendor")
        if self.strength <= 7:
            return pgettext("Lendrum's band", "Supplier")
        return pgettext("Lendrum's band", "Partner")

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.name = normalise_name(self.name)
        if self.grouping == Grouping.BUSINESS:
            for name in self.LINKAGE_FIELDS:
                if not getattr(self, name):
                    errors[name] = _("A business sub-alliance needs its linkage type.")
        elif self.grouping:
            for name in self.LINKAGE_FIELDS:
                if getattr(self, name):
                    errors[name] = _("Only business sub-alliances have a linkage type.")
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("A sub-alliance cannot end before it started.")
        if self.status == self.Status.ENDED and not self.ended_on:
            errors["ended_on"] = _("Give the date the sub-alliance ended.")
        if self.ended_on and self.status != self.Status.ENDED:
            errors["ended_on"] = _("Only an ended sub-alliance has an end date.")
        if errors:
            raise ValidationError(errors)


class SubAllianceParty(models.Model):
    """An organisation taking part in a sub-alliance, on the side of its city.

    `partner` (the side) is copied from the organisation when it joins, so that lists and the
    scorecard can group by side without a join, and a side stays as it was when it joined.
    """

    sub_alliance = models.ForeignKey(
        SubAlliance,
        on_delete=models.CASCADE,
        related_name="parties",
        verbose_name=_("sub alliance"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="parties",
        verbose_name=_("organisation"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("side")
    )
    role = models.CharField(
        max_length=80,
        blank=True,
        help_text=_("What it brings, e.g. “buyer”, “supplier”, “lead”."),
        verbose_name=_("role"),
    )
    joined_on = models.DateField(default=timezone.localdate, verbose_name=_("joined on"))

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["partner__name", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["sub_alliance", "organisation"],
                name="party_unique_organisation",
                violation_error_message=_("This organisation is already a party."),
            )
        ]
        indexes = [models.Index(fields=["organisation", "sub_alliance"])]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.partner.name})"

    def clean(self) -> None:
        if (
            self.organisation_id
            and self.partner_id
            and self.organisation.partner_id != self.partner_id
        ):
            raise ValidationError({"partner": _("An organisation takes part on its city's side.")})


class StrengthRecord(models.Model):
    """One change of a sub-alliance's relationship strength: its history over time."""

    sub_alliance = models.ForeignKey(
        SubAlliance,
        on_delete=models.CASCADE,
        related_name="strength_records",
        verbose_name=_("sub alliance"),
    )
    strength = models.PositiveSmallIntegerField(
        validators=STRENGTH_VALIDATORS, verbose_name=_("strength")
    )
    previous = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=STRENGTH_VALIDATORS,
        help_text=_("Empty when it had not been assessed before."),
        verbose_name=_("previous"),
    )
    note = models.TextField(blank=True, verbose_name=_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(default=timezone.now, verbose_name=_("recorded at"))

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(strength__gte=0, strength__lte=10),
                name="strengthrecord_strength_0_10",
                violation_error_message=_("Relationship strength runs from 0 to 10."),
            ),
            models.CheckConstraint(
                condition=models.Q(previous__isnull=True)
                | models.Q(previous__gte=0, previous__lte=10),
                name="strengthrecord_previous_0_10",
            ),
        ]
        indexes = [models.Index(fields=["sub_alliance", "-recorded_at"])]
        verbose_name = _("strength record")
        verbose_name_plural = _("strength records")

    def __str__(self) -> str:
        return f"{self.sub_alliance}: {self.previous} → {self.strength}"


class StartUpTask(models.Model):
    """One of the five start-up tasks of an alliance, created with the sub-alliance."""

    class Kind(models.TextChoices):
        RELATIONSHIP_HISTORY = "relationship_history", _("Analyse the history of the relationship")
        MANDATES_CULTURES = "mandates_cultures", _("Review each party's mandate and culture")
        ROLES = "roles", _("Define roles inside each organisation")
        # Commitment, boundary relationships, funding the cost of managing the alliance,
        # the financial model and common communications.
        OPERATIONAL_CHALLENGES = "operational_challenges", _("Address operational challenges")
        # An outcome map and the shared scorecard of effectiveness and efficiency.
        MONITORING_FRAMEWORK = "monitoring_framework", _("Set up monitoring and the scorecard")

    sub_alliance = models.ForeignKey(
        SubAlliance,
        on_delete=models.CASCADE,
        related_name="startup_tasks",
        verbose_name=_("sub alliance"),
    )
    kind = models.CharField(max_length=24, choices=Kind.choices, verbose_name=_("kind"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    done = models.BooleanField(default=False, verbose_name=_("done"))
    notes = models.TextField(blank=True, verbose_name=_("notes"))
    done_on = models.DateField(null=True, blank=True, verbose_name=_("done on"))

    class Meta:
        verbose_name = _("start-up task")
        ordering = ["sub_alliance", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sub_alliance", "kind"],
                name="startuptask_unique_kind",
                violation_error_message=_("This sub-alliance already has this start-up task."),
            ),
            models.CheckConstraint(
                condition=models.Q(done=True, done_on__isnull=False)
                | models.Q(done=False, done_on__isnull=True),
                name="startuptask_done_has_date",
                violation_error_message=_("A task has a completion date exactly when it is done."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        if self.done and not self.done_on:
            raise ValidationError({"done_on": _("Give the date the task was done.")})
        if not self.done and self.done_on:
            raise ValidationError({"done_on": _("Only a task that is done has a completion date.")})


class ScorecardMeasure(models.Model):
    """A measure on the sub-alliance's shared scorecard, added by one side."""

    class Dimension(models.TextChoices):
        EFFECTIVENESS = "effectiveness", _("Effectiveness")  # is it achieving its objectives?
        EFFICIENCY = "efficiency", _("Efficiency")  # is it well managed?

    sub_alliance = models.ForeignKey(
        SubAlliance,
        on_delete=models.CASCADE,
        related_name="scorecard",
        verbose_name=_("sub alliance"),
    )
    dimension = models.CharField(
        max_length=16, choices=Dimension.choices, verbose_name=_("dimension")
    )
    name = models.CharField(max_length=160, verbose_name=_("name"))
    unit = models.CharField(
        max_length=40, help_text=_("What is counted: meetings, %, ZAR…"), verbose_name=_("unit")
    )
    target = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("target")
    )
    actual = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, verbose_name=_("actual")
    )
    added_by_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("added by side")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("scorecard measure")
        ordering = ["dimension", "name"]
        constraints = [
            models.UniqueConstraint(
                "sub_alliance",
                Lower("name"),
                name="measure_unique_name",
                violation_error_message=_("The scorecard already has a measure of this name."),
            ),
            models.CheckConstraint(condition=~models.Q(unit=""), name="measure_has_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self) -> None:
        self.name = normalise_name(self.name)
        if self.unit is not None and not self.unit.strip():
            raise ValidationError({"unit": _("Give the unit the measure is counted in.")})
