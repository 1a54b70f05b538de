"""Prometheus metrics at /metrics: django-prometheus's request metrics plus our gauges.

Not public: a scrape must carry `Authorization: Bearer <METRICS_TOKEN>`, or come
from this machine (loopback, and no proxy header saying it was forwarded)
unless METRICS_ALLOW_LOOPBACK is false. Anyone else gets a 404. Under `serve`
the web workers are separate processes, so their counters are kept in
PROMETHEUS_MULTIPROC_DIR and summed here (serve sets it up).

Our gauges are counted when scraped, from the rows themselves:
  suishoupai_task_queue_depth           tasks waiting in the huey queue
  suishoupai_task_scheduled             tasks scheduled for later (retries, delays)
  suishoupai_cases_overdue              open cases marked overdue
  suishoupai_notify_outbox_backlog      messages queued or being sent
  suishoupai_photo_copies_pending       photos whose public copy is not made yet
  suishoupai_photo_copies_failed        photos whose public copy failed
  suishoupai_database_up                1 when the database answers
  suishoupai_task_consumer_last_seen_seconds  since the consumer's last heartbeat
"""

import hmac
import os
from ipaddress import ip_address

import prometheus_client
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .health import consumer_last_seen
from .outage import gate

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


class AppCollector(Collector):
    def collect(self):
        from huey.contrib.djhuey import HUEY

        from suishoupai.cases.models import Case
        from suishoupai.cases.states import OPEN_STATES
        from suishoupai.notify.models import Message, Status
        from suishoupai.photos.models import DerivativeStatus, Photo

        def gauge(name: str, help_text: str, value: float) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"suishoupai_{name}", help_text, value=value)

        yield gauge("task_queue_depth", "Tasks waiting in the queue.", HUEY.pending_count())
        yield gauge("task_scheduled", "Tasks scheduled for later.", HUEY.scheduled_count())
        yield gauge(
            "cases_overdue",
            "Open cases marked overdue.",
            Case.objects.filter(is_overdue=True, state__in=OPEN_STATES).count(),
        )
        yield gauge(
            "notify_outbox_backlog",
            "Messages queued or being sent.",
            Message.objects.filter(status__in=[Status.QUEUED, Status.SENDING]).count(),
        )
        yield gauge(
            "photo_copies_pending",
            "Photos whose public copy is not made yet.",
            Photo.objects.filter(status=DerivativeStatus.PENDING).count(),
        )
        yield gauge(
            "photo_copies_failed",
            "Photos whose public copy failed.",
            Photo.objects.filter(status=DerivativeStatus.FAILED).count(),
        )
        yield gauge("database_up", "1 when the database answers.", 0 if gate.is_down() else 1)
        seen = consumer_last_seen()
        if seen is not None:
            yield gauge(
                "task_consumer_last_seen_seconds", "Seconds since the consumer's heartbeat.", seen
            )


def allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if not settings.METRICS_ALLOW_LOOPBACK:
        return False
    if any(header in request.META for header in FORWARDING_HEADERS):
        return False  # came through a proxy: loopback says nothing about the client
    try:
        return ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404
    ours = prometheus_client.CollectorRegistry()
    ours.register(AppCollector())
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        shared = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(shared)
    else:
        shared = prometheus_client.REGISTRY
    body = prometheus_client.generate_latest(shared) + prometheus_client.generate_latest(ours)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
