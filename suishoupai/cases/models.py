from functools import cached_property

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from suishoupai.org.models import Role, User

from .policy import READ_ALL, has_post
from .states import FAMILY, State

# Filed by staff and not voided: what a public page may show of a case the reporter let
# be public.
PUBLIC_STATES = [
    s for s in State.values if s not in (State.SUBMITTED, State.REJECTED, State.VOIDED)
]


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "CaseQuerySet":
        """The one place that decides which cases a staff member may see."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if has_post(user, READ_ALL):
            return self
        if user.role == Role.HANDLER and user.department_id:
            scope = user.department_scope
            # A department keeps seeing cases it once held (returned, passed on).
            held = CaseEvent.objects.filter(case=OuterRef("pk"), department_id__in=scope)
            return self.filter(Q(department_id__in=scope) | Exists(held))
        return self.none()

    def public(self) -> "CaseQuerySet":
        """Cases shown on public pages: the reporter allowed it and staff filed it."""
        # A list of states, not an exclusion: `state IN (…)` can use the state indexes
        # (case_state_lat_lng_map for the public map), `NOT IN` cannot.
        return self.filter(is_public=True, state__in=PUBLIC_STATES)


class ReporterRating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically_satisfied", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Channel(models.TextChoices):
    CITIZEN = "citizen", _("Citizen app")
    HOTLINE = "hotline", _("12345 hotline")
    PATROL = "patrol", _("Inspector patrol")
    OPEN311 = "open311", _("Open311 client")
    WECHAT = "wechat", _("WeChat official account")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=20, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.CITIZEN
    )
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("category"), on_delete=models.PROTECT
    )
    subcategory = models.ForeignKey(
        "catalog.Subcategory",
        verbose_name=_("subcategory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    condition = models.ForeignKey(
        "catalog.FilingCondition",
        verbose_name=_("filing condition"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    description = models.TextField(_("description"), max_length=2000)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Always WGS-84; the API converts from GCJ-02 / BD-09 on the way in.
    lat = models.FloatField(_("latitude"))
    lng = models.FloatField(_("longitude"))
    district = models.ForeignKey(
        "places.Area",
        verbose_name=_("district"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.ForeignKey(
        "places.Area",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    community = models.ForeignKey(
        "places.Area",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    grid = models.ForeignKey(
        "places.Area",
        verbose_name=_("unit grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # The reporter: private. Only the hash of the tracking token is stored.
    reporter_phone = models.CharField(_("reporter phone"), max_length=32, blank=True)
    tracking_token_hash = models.CharField(max_length=64, db_index=True, editable=False)
    # The reporting device's idempotency key: a retried upload finds its case, not a second one.
    client_ref = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # The reporter's WeChat openid (official account chat or the pages inside WeChat):
    # personal data like the phone; shown to centre roles only as “微信用户”.
    reporter_openid = models.CharField(
        _("reporter WeChat openid"), max_length=64, blank=True, db_index=True, editable=False
    )
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_public = models.BooleanField(_("public"), default=True)
    reporter_user = models.ForeignKey(
        User,
        verbose_name=_("reporter account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )

    suggested_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("suggested department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("current department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    first_department = models.ForeignKey(
        "org.Department",
        verbose_name=_("first-level department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_cases",
    )

    # Milestones: common statistics are plain queries on these.
    created_at = models.DateTimeField(_("submitted at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # Deadlines: due_at belongs to the current stage; handle_due_at is the
    # department's handling deadline (moved by approved extensions, paused by
    # suspension). While suspended, due_at is empty and the remaining counted
    # minutes wait in paused_remaining_minutes.
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    handle_due_at = models.DateTimeField(_("handling due at"), null=True, blank=True)
    paused_remaining_minutes = models.IntegerField(null=True, blank=True, editable=False)
    is_overdue = models.BooleanField(_("overdue"), default=False)
    # The stage deadline whose overdue mark a shift lead waived on appeal: the
    # periodic scan must not mark the case again for that same deadline.
    waived_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    # 附议: how many others reported the same problem with "me too" (CaseSupport rows).
    support_count = models.PositiveIntegerField(_("me-too count"), default=0)
    urge_count = models.PositiveSmallIntegerField(_("urges"), default=0)

    rating = models.CharField(
        _("rating"), max_length=24, choices=ReporterRating.choices, blank=True
    )
    rating_stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]
        indexes = [
            # Bounding-box prefilter for nearby search and map views.
            models.Index(fields=["lat", "lng"], name="case_lat_lng"),
            # Nearby open cases (duplicates, 已有人反映) and the public map: a state IN (...)
            # plus a lat range on one index, lng checked inside it; both databases use it at
            # a million cases. The public map's other filters are in it too, so its cell
            # counts never read the table (3× faster at a year of cases on SQLite).
            models.Index(
                fields=["state", "lat", "lng", "is_public", "category", "created_at"],
                name="case_state_lat_lng_map",
            ),
            models.Index(fields=["category", "state"], name="case_category_state"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def family(self) -> str:
        return FAMILY[self.state]

    @cached_property
    def is_published(self) -> bool:
        """Shown on public pages (CaseQuerySet.public). Asked once per case object:
        a timeline asks for every photo."""
        return Case.objects.public().filter(pk=self.pk).exists()


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    REPORTER = "reporter", _("Reporter and staff")
    INTERNAL = "internal", _("Staff only")


class CaseEvent(models.Model):
    """Append-only history of a case: timelines, audit and statistics read it."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("time"), db_index=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Frozen at the time of the event: a later change of role must not rewrite history.
    actor_role = models.CharField(_("actor role"), max_length=16, blank=True)
    actor_label = models.CharField(_("actor name"), max_length=64, blank=True)
    from_state = models.CharField(_("from state"), max_length=16, blank=True)
    to_state = models.CharField(_("to state"), max_length=16, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


class CaseSupport(models.Model):
    """附议: someone else saw the same problem and said "me too" instead of a new case."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="supports"
    )
    created_at = models.DateTimeField(_("time"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # Hash of the device's random id: one me-too per device and case, no device id stored.
    fingerprint = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("me-too")
        verbose_name_plural = _("me-toos")
        constraints = [
            models.UniqueConstraint(fields=["case", "fingerprint"], name="one_support_per_device")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +1"


class RequestKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXTENSION = "extension", _("Extension")
    SUSPENSION = "suspension", _("Suspension")
    # 超期申诉: the department disputes an overdue mark.
    APPEAL = "appeal", _("Overdue appeal")


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    # Made moot by another move (the case was returned, voided, ...).
    CANCELLED = "cancelled", _("Cancelled")


class CaseRequest(models.Model):
    """A department's request that needs a shift lead's decision."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices)
    reason = models.TextField(_("reason"))
    # Extensions: how much more time, in the unit of the case's time limit.
    amount = models.DecimalField(_("amount"), max_digits=6, decimal_places=2, null=True, blank=True)
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        User, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(
        _("requested at"),
    )
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # Appeals: the automatic overdue mark (a case.urged event) being disputed.
    overdue_mark = models.ForeignKey(
        CaseEvent,
        verbose_name=_("overdue mark"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("case request")
        verbose_name_plural = _("case requests")
        ordering = ["requested_at"]
        constraints = [
            # At most one pending request of a kind per case.
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(decision="pending"),
                name="one_pending_request_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.kind} {self.decision}"


class CaseNumberCounter(models.Model):
    """Per-day sequence behind readable case numbers (20261125-0001).

    Incremented with an UPDATE inside the creating transaction, so concurrent
    submissions serialise on this one row and never share a number.
    """

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"
