"""The outbox: who is told what about an event, and delivery with retries.

Flow: a case service records an event → cases.signals.event_committed after
commit → on_event_committed() (connected in apps.py) → fan_out() writes one
Message per (event, channel, address) and enqueues a delivery task per message
id. deliver() claims a message with one conditional UPDATE, so two workers (or
the on-commit task and the periodic sweep) never send one message twice; a
claim expires after NOTIFY_LEASE_SECONDS, so a message held by a worker that
died is picked up again by the sweep. Failures retry with exponential backoff
up to NOTIFY_MAX_ATTEMPTS, then the message is failed (visible and retryable in
the admin).
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from suishoupai.cases.models import CaseEvent
from suishoupai.cases.states import State
from suishoupai.errors import InvalidInput

from . import rules
from .channels import CHANNELS, PermanentError, Suppressed
from .channels import console as console_channel
from .channels.base import STAGING_GUARD
from .models import Audience, ChannelCode, EventFanOut, Message, Status
from .rules import Draft
from .texts import FREE_TEXT_FIELDS, FREE_TEXT_MIN, SMS_MAX_CHARS, TEXTS

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- public API


def on_event_committed(sender: type, event: CaseEvent, **kwargs: object) -> None:
    """Receives cases.signals.event_committed: once the transition has committed,
    create the messages its event causes and queue their delivery. Nothing here
    can fail or slow the transition itself (the signal is sent robustly: errors
    are logged)."""
    if event.action in rules.NOTIFIABLE:
        _after_commit(event.pk)


def send_to_phone(phone: str, text: str, *, kind: str, key: str | None = None) -> Message:
    """Queue one SMS (a phone confirmation code, say). Through the staging
    guard like every message: in a demo the text shows on the console log.
    With a `key`, asking again with the same key returns the first message
    instead of sending a second one (a double-tapped "send code" button)."""
    phone = (phone or "").strip()
    if not phone:
        raise InvalidInput(_("Please enter a phone number."), field="phone")
    dedup_key = f"direct:{kind}:{key}" if key else f"direct:{uuid.uuid4().hex}"
    message, created = Message.objects.get_or_create(
        dedup_key=dedup_key[:600],
        defaults={
            "channel": ChannelCode.SMS,
            "address": phone,
            "audience": Audience.DIRECT,
            "kind": kind,
            "body": text,
            "created_at": timezone.now(),
        },
    )
    if not created:
        return message
    pk = message.pk
    transaction.on_commit(lambda: enqueue(pk), robust=True)
    return message


# ---------------------------------------------------------------- fan-out


def _after_commit(event_id: int) -> None:
    for pk in fan_out(event_id):
        enqueue(pk)


def enqueue(message_id: int) -> None:
    from .tasks import deliver_message  # tasks imports this module

    try:
        deliver_message(message_id)
    except Exception:
        # The queue is down: the row is in the database, the sweep sends it.
        log.exception("could not enqueue message %s; the sweep will send it", message_id)


def fan_out(event_id: int, now: datetime | None = None) -> list[int]:
    """Create the event's messages (idempotent); returns ids of those still queued."""
    now = now or timezone.now()
    event = (
        CaseEvent.objects.select_related("case", "case__department", "case__category", "department")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return []
    drafts = rules.drafts_for(event)
    rows = [_render(event, d, now) for d in drafts]
    with transaction.atomic():
        # A second run (the sweep recovering, a retried hook) inserts nothing new.
        Message.objects.bulk_create(rows, ignore_conflicts=True)
        EventFanOut.objects.get_or_create(
            event_id=event.pk, defaults={"at": now, "messages": len(rows)}
        )
    keys = [r.dedup_key for r in rows]
    return list(
        Message.objects.filter(dedup_key__in=keys, status=Status.QUEUED).values_list(
            "pk", flat=True
        )
    )


def _render(event: CaseEvent, draft: Draft, now: datetime) -> Message:
    subject, body = TEXTS[draft.kind]
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        ctx = {k: str(v) for k, v in draft.context.items()}
        rendered_subject = str(subject) % ctx
        rendered_body = str(body) % ctx
        if draft.channel == ChannelCode.SMS:
            rendered_body = _fit_sms(str(body), ctx, rendered_body)
        state = str(State(event.case.state).label)
    return Message(
        channel=draft.channel,
        address=draft.address,
        audience=draft.audience,
        kind=draft.kind,
        language=language,
        subject=rendered_subject[:200],
        body=rendered_body,
        payload={
            "kind": draft.kind,
            "event": event.action,
            "case": draft.context.get("number", ""),
            "state": state,
            "link": draft.context.get("link", ""),
            "department": draft.context.get("department", ""),
            "at": event.at.isoformat(),
        },
        case=draft.case,
        event=event,
        contact=draft.contact,
        dedup_key=f"event:{event.pk}:{draft.channel}:{draft.address}"[:600],
        created_at=now,
        next_attempt_at=now,
    )


def _fit_sms(template: str, ctx: dict[str, str], body: str) -> str:
    """Cut the template's free text further until the body fits SMS_MAX_CHARS (the link and
    the case number stay whole)."""
    for name in FREE_TEXT_FIELDS:
        excess = len(body) - SMS_MAX_CHARS
        if excess <= 0:
            break
        if f"%({name})s" in template and len(ctx[name]) > FREE_TEXT_MIN:
            ctx[name] = rules.free_text(ctx[name], max(len(ctx[name]) - excess, FREE_TEXT_MIN))
            body = template % ctx
    return body


def recover(now: datetime | None = None) -> int:
    """Fan out recent notifiable events that have no fan-out record (their
    process died between commit and the hook). Bounded to a recent window so a
    fresh install never messages people about old history."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.NOTIFY_RECOVER_MINUTES)
    # Leave the last minute to the on-commit hooks still running.
    pending = (
        CaseEvent.objects.filter(
            at__gte=since, at__lt=now - timedelta(minutes=1), action__in=rules.NOTIFIABLE
        )
        .exclude(Exists(EventFanOut.objects.filter(event_id=OuterRef("pk"))))
        .values_list("pk", flat=True)[:200]
    )
    count = 0
    for pk in pending:
        fan_out(pk, now)  # the sweep sends them right after
        count += 1
    return count


# ---------------------------------------------------------------- delivery


def _due(now: datetime) -> Q:
    queued = Q(status=Status.QUEUED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    abandoned = Q(status=Status.SENDING, lease_until__lt=now)
    return queued | abandoned


def claim(message_id: int, now: datetime) -> str | None:
    """Take a due message for sending. One UPDATE with the due condition in its
    WHERE: of two workers racing, the database lets exactly one match."""
    token = uuid.uuid4().hex
    claimed = (
        Message.objects.filter(pk=message_id)
        .filter(_due(now))
        .update(
            status=Status.SENDING,
            claim=token,
            lease_until=now + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    return token if claimed else None


def backoff(attempts: int) -> timedelta:
    seconds = settings.NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.NOTIFY_RETRY_MAX_SECONDS))


def deliver(message_id: int, now: datetime | None = None) -> str | None:
    """Send one message if it is due and nobody else holds it; returns the
    resulting status, or None when there was nothing to do."""
    now = now or timezone.now()
    token = claim(message_id, now)
    if token is None:
        return None
    message = Message.objects.select_related("contact").get(pk=message_id)
    try:
        CHANNELS[message.channel].deliver(message)
    except Suppressed as why:
        if str(why).startswith(STAGING_GUARD):
            # The demo's window on what would have gone out (a confirmation code, say).
            console_channel.write(message, prefix="(not sent: staging guard) ")
        return _finish(message, token, Status.SUPPRESSED, error=str(why))
    except PermanentError as exc:
        return _finish(message, token, Status.FAILED, error=str(exc))
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
            return _finish(message, token, Status.FAILED, error=error)
        return _finish(
            message, token, Status.QUEUED, error=error, next_at=now + backoff(message.attempts)
        )
    return _finish(message, token, Status.SENT, sent_at=now)


def _finish(
    message: Message,
    token: str,
    status: str,
    *,
    error: str = "",
    next_at: datetime | None = None,
    sent_at: datetime | None = None,
) -> str | None:
    fields: dict = {"status": status, "lease_until": None, "claim": ""}
    if error:
        fields["last_error"] = error
    if next_at is not None:
        fields["next_attempt_at"] = next_at
    if sent_at is not None:
        fields.update(sent_at=sent_at, last_error="")
    # Only the holder of this claim may finish it (a lease taken over is not ours).
    done = Message.objects.filter(pk=message.pk, claim=token, status=Status.SENDING).update(
        **fields
    )
    if not done:
        log.warning("message %s: claim expired before the result was recorded", message.pk)
        return None
    return status


def sweep(now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Periodic: recover lost fan-outs, then send what is due (queued, retries
    whose backoff has passed, and messages held past their lease)."""
    now = now or timezone.now()
    recovered = recover(now)
    due = Message.objects.filter(_due(now)).order_by("next_attempt_at", "pk")
    results: dict[str, int] = {"recovered": recovered}
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        status = deliver(pk, now)
        if status:
            results[status] = results.get(status, 0) + 1
    return results


FINAL = [Status.SENT, Status.FAILED, Status.SUPPRESSED]


def purge(now: datetime | None = None, batch: int = 5000) -> dict[str, int]:
    """Periodic: forget what the outbox holds about people after NOTIFY_KEEP_DAYS.

    A message row keeps a phone number, an e-mail address or an openid and the text
    sent; once it is finished (sent, failed for good, suppressed) and older than the
    city's retention, it is deleted, with the fan-out marks of its events (only the
    recovery's last hour reads those). A message still queued or sending is never
    touched, however old. NOTIFY_KEEP_DAYS = 0 keeps everything."""
    days = settings.NOTIFY_KEEP_DAYS
    if days <= 0:
        return {"messages": 0, "fan_outs": 0}
    before = (now or timezone.now()) - timedelta(days=days)
    counts = {"messages": 0, "fan_outs": 0}
    old = (
        ("messages", Message.objects.filter(status__in=FINAL, created_at__lt=before)),
        ("fan_outs", EventFanOut.objects.filter(at__lt=before)),
    )
    for key, rows in old:
        # In batches: a first run on years of history must not hold one huge transaction.
        while pks := list(rows.order_by("pk").values_list("pk", flat=True)[:batch]):
            rows.model.objects.filter(pk__in=pks).delete()
            counts[key] += len(pks)
    return counts


def retry(messages: QuerySet[Message], now: datetime | None = None) -> int:
    """The admin's "send again": failed or suppressed messages go back in the queue."""
    now = now or timezone.now()
    pks = list(
        messages.filter(status__in=[Status.FAILED, Status.SUPPRESSED]).values_list("pk", flat=True)
    )
    Message.objects.filter(pk__in=pks).update(
        status=Status.QUEUED, attempts=0, next_attempt_at=now, lease_until=None, claim=""
    )

    # (A function, not functools.partial: Django's robust on_commit logs the
    # callback's __qualname__, which a partial lacks.)
    def enqueue_all() -> None:
        for pk in pks:
            enqueue(pk)

    transaction.on_commit(enqueue_all, robust=True)
    return len(pks)
