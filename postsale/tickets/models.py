"""Support tickets (SPEC §4): a case opened about an order, its conversation (messages,
public or internal, with attachments) and the due time of its next automatic step."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketType(models.TextChoices):
    SUPPORT = "support", _("Support")  # technical help or a question
    REFUND = "refund", _("Refund")  # money back for the order or some of it
    CANCELLATION = "cancellation", _("Cancellation")  # stop a subscription
    RETURN = "return", _("Return")  # complaint, withdrawal, missing item
    EXCHANGE = "exchange", _("Exchange")  # another date, time slot or seat


class TicketStatus(models.TextChoices):
    OPEN = "open", _("Open")  # in conversation (every type but returns)
    NEW = "new", _("New")  # a return nobody has looked at yet
    IN_REVIEW = "in_review", _("In review")  # a return the seller is examining
    ACCEPTED = "accepted", _("Accepted")  # a return the seller accepted
    REJECTED = "rejected", _("Rejected")  # a return the seller rejected
    CLOSED = "closed", _("Closed")  # finished; see the resolution


class Resolution(models.TextChoices):
    SOLVED = "solved", _("Solved")  # closed by a person after help
    REFUNDED = "refunded", _("Refunded")  # the refund request was processed
    CANCELED = "canceled", _("Subscription canceled")  # the cancellation was processed
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")  # the customer closed their request
    SAVED = "saved", _("Closed by the seller before processing")  # reviewed if the customer asked
    INACTIVE = "inactive", _("Closed for inactivity")  # closed by the system
    ACCEPTED = "accepted", _("Return accepted")
    REJECTED = "rejected", _("Return rejected")


class Side(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    SELLER = "seller", _("Seller")
    SYSTEM = "system", _("System")


class Channel(models.TextChoices):
    """How a ticket was opened. An operator's phone call counts as customer-opened."""

    PORTAL = "portal", _("Order page")
    BACKOFFICE = "backoffice", _("Back office")
    PHONE = "phone", _("Phone call (operator)")
    API = "api", _("API")


class ReturnKind(models.TextChoices):
    WARRANTY = "warranty", _("Warranty complaint")
    WITHDRAWAL = "withdrawal", _("Withdrawal from the contract")
    MISSING = "missing", _("Missing item")


class Step(models.TextChoices):
    """The next automatic step of a ticket (stored with its due time)."""

    PROCESS = "process", _("process the request")  # refund or cancel
    WARN = "warn", _("send an inactivity warning")
    CLOSE = "close", _("close for inactivity")


class Ticket(models.Model):
    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="tickets")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="tickets")
    number = models.CharField(max_length=16, unique=True)  # TCK-…
    type = models.CharField(max_length=16, choices=TicketType.choices)
    status = models.CharField(max_length=12, choices=TicketStatus.choices,
                              default=TicketStatus.OPEN)
    resolution = models.CharField(max_length=12, choices=Resolution.choices, blank=True)
    subject = models.CharField(max_length=200)
    opened_by = models.CharField(max_length=10, choices=Side.choices)  # phone → customer
    channel = models.CharField(max_length=12, choices=Channel.choices)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    # A customer's reply to a ticket closed long ago opens a new one, linked to the old.
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="followups")
    # Who made the last public move (customer or seller) and when: the inactivity timers
    # start from here, and it tells whom the ticket waits on.
    last_actor = models.CharField(max_length=10, choices=Side.choices)
    last_public_at = models.DateTimeField()
    warnings_sent = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=10, choices=Side.choices, blank=True)

    # The refund or cancellation request, decided when asked (SPEC §4.1): items (None: the
    # whole order), amount and reasons as shown to both sides; when it is processed.
    refund_keys = models.JSONField(null=True, blank=True)
    refund_amount = models.PositiveBigIntegerField(null=True, blank=True)
    refund_fee = models.PositiveBigIntegerField(null=True, blank=True)
    refund_reasons = models.JSONField(default=list, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    process_at = models.DateTimeField(null=True, blank=True)
    refund = models.ForeignKey("payments.Refund", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")

    # A return: what and how many, and where to reach the customer.
    return_kind = models.CharField(max_length=12, choices=ReturnKind.choices, blank=True)
    return_lines = models.JSONField(default=list, blank=True)  # [{"line": id, "quantity": n}]
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)

    # The next automatic step: the sweep takes rows with due_at <= now (partial index).
    due_at = models.DateTimeField(null=True, blank=True)
    due_step = models.CharField(max_length=10, choices=Step.choices, blank=True)

    # The operator's review list: refund requests the seller closed or changed in time.
    review_reason = models.CharField(max_length=200, blank=True)
    review_requested_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(due_at__isnull=False),
                         name="ticket_due_idx"),
            models.Index(fields=["seller", "status", "-created_at"],
                         name="ticket_seller_status_idx"),
            models.Index(fields=["seller", "-created_at"], name="ticket_seller_recent_idx"),
            # The inbox's queues: "mine", "unassigned", one consultant's.
            models.Index(fields=["seller", "assignee", "status", "-created_at"],
                         name="ticket_seller_assignee_idx"),
            models.Index(fields=["review_requested_at"],
                         condition=models.Q(review_requested_at__isnull=False,
                                            reviewed_at__isnull=True),
                         name="ticket_review_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == TicketStatus.CLOSED

    @property
    def waiting_on(self) -> str:
        """Whom the ticket waits on: the seller after the customer acted, and vice versa."""
        return Side.CUSTOMER if self.last_actor == Side.SELLER else Side.SELLER

    @property
    def is_request(self) -> bool:
        return self.type in (TicketType.REFUND, TicketType.CANCELLATION)


class Message(models.Model):
    """A comment on a ticket. Internal notes are for agents only and notify nobody;
    system messages record automatic steps in the conversation."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    side = models.CharField(max_length=10, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")
    author_name = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    internal = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"])]


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()


class AssignmentRule(models.Model):
    """Who gets a seller's new tickets (SPEC §8): tickets of this sales channel (None: any)
    and type (empty: any) go round-robin to the rule's consultants. The first matching
    rule by `position` wins; a return goes to the rule naming its sales channel, if any
    (the consultant responsible for that channel, SPEC §4.5)."""

    seller = models.ForeignKey("sellers.Seller", on_delete=models.CASCADE,
                               related_name="assignment_rules")
    channel = models.ForeignKey("sellers.SalesChannel", on_delete=models.CASCADE,
                                null=True, blank=True, related_name="+")
    type = models.CharField(max_length=16, choices=TicketType.choices, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Tickets assigned by this rule so far: the next goes to consultant `turns % count`.
    # Read and advanced under the rule's row lock, so concurrent tickets take turns.
    turns = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["seller", "position"])]

    def __str__(self) -> str:
        return f"{self.channel or '*'} / {self.type or '*'}"


class AssignmentConsultant(models.Model):
    """A consultant of a rule, in rotation order."""

    rule = models.ForeignKey(AssignmentRule, on_delete=models.CASCADE,
                             related_name="consultants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "user"],
                                               name="assignment_consultant_unique")]
