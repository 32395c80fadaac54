"""The partnership itself, its member cities, champions and the record of its step moves."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.choices import ChoiceDisplay
from core.search import vector as search_vector
from partnerships.models.choices import Step
from partnerships.models.partners import CooperationArea, Partner
from partnerships.models.strategy import TwinningStrategy

# Active partnerships first, then paused ones, then the rest: the order of the board's cards
# in each step, and of its index (the values of Partnership.Status, declared before it).
STATUS_RANK = {"active": 0, "paused": 1}
OTHER_STATUS_RANK = 2


def status_rank() -> models.Case:
    """STATUS_RANK as SQL (the board's query and its index)."""
    return models.Case(
        *(
            models.When(status=status, then=models.Value(rank))
            for status, rank in STATUS_RANK.items()
        ),
        default=models.Value(OTHER_STATUS_RANK),
        output_field=models.IntegerField(),
    )


class Partnership(ChoiceDisplay, models.Model):
    """A city-to-city partnership walked through the eight steps.

    The step only ever changes through `services.partnership_advance/return`, which ask
    `partnerships.workflow` and record a `StepTransition`.
    """

    class Category(models.TextChoices):
        MIC = "mic", _("Municipal international cooperation")
        SISTER_CITY = "sister_city", _("Sister city / twinning")
        DECENTRALISED = "decentralised", _("Decentralised cooperation")

    class Orientation(models.TextChoices):
        NORTH_NORTH = "north_north", _("North–North")
        NORTH_SOUTH = "north_south", _("North–South")
        SOUTH_SOUTH = "south_south", _("South–South")
        # Not derivable from North/South; set by hand (orientation_overridden).
        EAST_WEST = "east_west", _("East–West")

    class Phase(models.TextChoices):
        ASSOCIATIVE = "associative", _("Associative (friendship, culture)")
        RECIPROCATIVE = "reciprocative", _("Reciprocative (education, exchange)")
        COMMERCIAL = "commercial", _("Commercial (economic development)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ENDED = "ended", _("Ended")
        ARCHIVED = "archived", _("Archived")

    class Cadence(models.IntegerChoices):
        QUARTERLY = 3, _("Quarterly")
        HALF_YEARLY = 6, _("Every six months")
        YEARLY = 12, _("Yearly")
        TWO_YEARLY = 24, _("Every two years")

    title = models.CharField(max_length=200, verbose_name=_("title"))
    summary = models.TextField(blank=True, verbose_name=_("summary"))
    category = models.CharField(max_length=16, choices=Category.choices, verbose_name=_("category"))
    orientation = models.CharField(
        max_length=16, choices=Orientation.choices, blank=True, verbose_name=_("orientation")
    )
    orientation_overridden = models.BooleanField(
        default=False,
        help_text=_("Keep the orientation as set instead of deriving it."),
        verbose_name=_("orientation overridden"),
    )
    phase = models.CharField(
        max_length=16, choices=Phase.choices, default=Phase.ASSOCIATIVE, verbose_name=_("phase")
    )
    areas = models.ManyToManyField(
        CooperationArea, blank=True, related_name="partnerships", verbose_name=_("areas")
    )
    partners = models.ManyToManyField(
        Partner,
        through="PartnershipMember",
        related_name="partnerships",
        verbose_name=_("partners"),
    )
    strategy = models.ForeignKey(
        TwinningStrategy,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partnerships",
        help_text=_("The home city's strategy this partnership serves."),
        verbose_name=_("strategy"),
    )
    step = models.PositiveSmallIntegerField(
        choices=Step.choices, default=Step.STRATEGY, verbose_name=_("step")
    )
    step_entered_at = models.DateTimeField(default=timezone.now, verbose_name=_("step entered at"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status")
    )
    established_on = models.DateField(null=True, blank=True, verbose_name=_("established on"))
    ended_on = models.DateField(null=True, blank=True, verbose_name=_("ended on"))
    end_reason = models.TextField(
        blank=True, help_text=_("Why the partnership was ended."), verbose_name=_("end reason")
    )
    # Empty until someone assesses it: 0 is an assessment ("none, by choice"), not a default.
    relationship_strength = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=None,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_(
            "Lendrum's scale: 0 none, 1–4 vendor, 5–7 supplier, 8–10 partner; "
            "empty: not assessed yet."
        ),
        verbose_name=_("relationship strength"),
    )
    review_cadence_months = models.PositiveSmallIntegerField(
        choices=Cadence.choices, default=Cadence.YEARLY, verbose_name=_("review cadence months")
    )
    next_review_on = models.DateField(null=True, blank=True, verbose_name=_("next review on"))
    published = models.BooleanField(
        _("published in the registry"),
        default=False,
        help_text=_(
            "Anyone, without signing in, finds it in the public partnership registry: "
            "its title, cities, areas of cooperation, phase, status and when its MOU was signed. "
            "Its inside (steps, documents, history, discussion) stays for its cities' officers."
        ),
    )
    publish_mou_document = models.BooleanField(
        _("publish the signed MOU's document"),
        default=False,
        help_text=_(
            "With the partnership in the registry, anyone may also download the signed "
            "MOU's PDF there. Off, the registry says that and when an MOU was signed, not its text."
        ),
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
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(relationship_strength__isnull=True)
                | models.Q(relationship_strength__lte=10),
                name="partnership_strength_0_10",
            ),
            models.CheckConstraint(
                condition=models.Q(step__gte=1, step__lte=8), name="partnership_step_1_8"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "step"]),
            models.Index(fields=["next_review_on"]),
            models.Index(fields=["step", "step_entered_at"]),
            models.Index(fields=["category"]),
            models.Index(fields=["-updated_at"]),
            # The list sorted by title and the admin changelist (ordering title, pk): the first
            # page is read from the index instead of sorting the table.
            models.Index(fields=["title", "id"], name="partnership_title_id"),
            # The public registry: published partnerships by title.
            models.Index(
                fields=["title", "id"],
                condition=models.Q(published=True),
                name="partnership_pub_title",
            ),
            # The admin's "created" filter.
            models.Index(fields=["created_at"], name="partnership_created_at"),
            # The board's first cards of each step (selectors/board.py): read from the index
            # instead of sorting every partnership of a step.
            models.Index(
                "step",
                status_rank(),
                models.F("updated_at").desc(),
                "id",
                name="partnership_board",
            ),
            # The portal's search by title (core/search.py; built on PostgreSQL only).
            GinIndex(search_vector("title"), name="partnership_search"),
        ]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")

    def __str__(self) -> str:
        return self.title

    @property
    def step_label(self) -> str:
        return Step(self.step).label


class PartnershipMember(models.Model):
    """A city taking part in a partnership: the home city runs it, counterparts join it."""

    class Role(models.TextChoices):
        HOME = "home", _("Home city")
        COUNTERPART = "counterpart", _("Counterpart")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="members", verbose_name=_("partnership")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("partner")
    )
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.COUNTERPART, verbose_name=_("role")
    )
    joined_on = models.DateField(default=timezone.localdate, verbose_name=_("joined on"))
    # Each side decides about its own people (the city's officers set it).
    publish_contacts = models.BooleanField(
        _("publish this city's contacts"),
        default=False,
        help_text=_(
            "The registry page of the (published) partnership shows this city's "
            "champions: their names and titles to anyone, their e-mail addresses to signed-in "
            "chamber staff and officers."
        ),
    )

    class Meta:
        ordering = ["role", "partner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "partner"],
                name="member_unique_partner",
                violation_error_message=_("This city is already a member of the partnership."),
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=models.Q(role="home"),
                name="member_one_home",
                violation_error_message=_("A partnership has exactly one home city."),
            ),
        ]
        verbose_name = _("partnership member")
        verbose_name_plural = _("partnership members")

    def __str__(self) -> str:
        return f"{self.partner.name} ({self.get_role_display()})"


class Champion(models.Model):
    """A person who champions the partnership on one side; reminders go to active champions."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="champions",
        verbose_name=_("partnership"),
    )
    partner = models.ForeignKey(
        Partner,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The side this champion is on."),
        verbose_name=_("partner"),
    )
    name = models.CharField(max_length=120, verbose_name=_("name"))
    title = models.CharField(max_length=160, blank=True, verbose_name=_("title"))
    email = models.EmailField(blank=True, verbose_name=_("email"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("is active"))
    since = models.DateField(null=True, blank=True, verbose_name=_("since"))

    class Meta:
        ordering = ["-is_active", "name"]
        verbose_name = _("champion")
        verbose_name_plural = _("champions")

    def __str__(self) -> str:
        return f"{self.name}, {self.title}" if self.title else self.name


class StepTransition(models.Model):
    """One recorded move of a partnership between steps: who, when, from, to and why."""

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advanced")
        RETURN = "return", _("Returned")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("partnership"),
    )
    from_step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("from step"))
    to_step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("to step"))
    kind = models.CharField(max_length=8, choices=Kind.choices, verbose_name=_("kind"))
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["partnership", "-at"])]
        verbose_name = _("step transition")
        verbose_name_plural = _("step transitions")

    def __str__(self) -> str:
        return f"{self.partnership}: {Step(self.from_step).label} → {Step(self.to_step).label}"


class MoveConfirmation(models.Model):
    """An officer's confirmation, for one side, of the move out of a joint sign-off step.

    Only confirmations given since the partnership entered the step count, so a return to an
    earlier step asks both sides again.
    """

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("partnership"),
    )
    step = models.PositiveSmallIntegerField(choices=Step.choices, verbose_name=_("step"))
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    at = models.DateTimeField(default=timezone.now, verbose_name=_("at"))

    class Meta:
        ordering = ["at"]
        indexes = [models.Index(fields=["partnership", "step", "at"])]
        verbose_name = _("move confirmation")
        verbose_name_plural = _("move confirmations")

    def __str__(self) -> str:
        return gettext("%(city)s confirmed leaving %(step)s") % {
            "city": self.partner.name,
            "step": Step(self.step).label,
        }
