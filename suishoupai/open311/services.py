"""Writes for Open311: keys, new service requests, posted updates, the audit trail.

A new request goes through cases.services.submit like any report; an update
through cases.services.external_update. Nothing here changes a case's state.
"""

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from suishoupai.cases import services as cases
from suishoupai.cases.models import Case, Channel
from suishoupai.errors import InvalidInput, NotAllowed, NotFound
from suishoupai.org.models import hash_token

from . import selectors
from .models import LIST_TYPES, ApiClient, ClientRequest, ClientUpdate, Datatype, KeyUse
from .statuses import INBOUND_STATUSES

MAX_DESCRIPTION = 4000
# Case.description holds 2000 characters; a longer text is kept whole in ClientRequest.
CASE_DESCRIPTION = 2000
MAX_STRING = 255


# ------------------------------------------------------------------ keys


def issue_client(
    name: str, *, channel: str = Channel.OPEN311, contact: str = "", requests_per_hour: int = 600
) -> tuple[ApiClient, str]:
    """A new client and its raw key: shown once, only its hash is kept."""
    raw, prefix, digest = ApiClient.new_key()
    client = ApiClient.objects.create(
        name=name,
        channel=channel,
        contact=contact,
        requests_per_hour=requests_per_hour,
        prefix=prefix,
        key_hash=digest,
    )
    return client, raw


def revoke(client: ApiClient, now: datetime | None = None) -> None:
    ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=now or timezone.now()
    )


def authenticate(raw: str | None, *, now: datetime | None = None) -> ApiClient:
    """The client behind an api_key (403 otherwise); records when the key was used."""
    if not raw:
        raise NotAllowed(_("An api_key is required."))
    client = ApiClient.objects.filter(key_hash=hash_token(raw)).first()
    if client is None:
        raise NotAllowed(_("This api_key is not valid."))
    if client.revoked_at is not None:
        raise NotAllowed(_("This api_key has been revoked."))
    if not client.active:
        raise NotAllowed(_("This api_key is suspended."))
    now = now or timezone.now()
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    client.last_used_at = now
    return client


def audit(
    client: ApiClient,
    action: str,
    status: int,
    *,
    case_number: str = "",
    message: str = "",
    ip: str | None = None,
    now: datetime | None = None,
) -> KeyUse:
    return KeyUse.objects.create(
        client=client,
        at=now or timezone.now(),
        action=action,
        status=status,
        case_number=case_number,
        message=message[:300],
        ip=ip or None,
    )


# ------------------------------------------------------------------ input checks


def _limit(value: str, n: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > n:
        raise InvalidInput(
            _("%(field)s may have at most %(n)d characters.") % {"field": field, "n": n},
            field=field,
        )
    return value


def _url(value: str, field: str) -> str:
    value = _limit(value, 500, field)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise InvalidInput(
                _("%(field)s is not an http(s) URL.") % {"field": field}, field=field
            ) from None
    return value


def _email(value: str) -> str:
    value = _limit(value, 254, "email")
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise InvalidInput(_("email is not a valid address."), field="email") from None
    return value


def _coordinate(value: str, field: str, bound: float) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        raise InvalidInput(
            _("%(field)s must be a WGS-84 number between -%(b)d and %(b)d.")
            % {"field": field, "b": bound},
            field=field,
        )
    return number


def _location(lat: str, lng: str, address: str, address_id: str) -> tuple[float, float]:
    lat, lng = (lat or "").strip(), (lng or "").strip()
    if lat and lng:
        return _coordinate(lat, "lat", 90), _coordinate(lng, "long", 180)
    if lat or lng:
        raise InvalidInput(_("Send both lat and long."), field="lat" if not lat else "long")
    if (address or "").strip() or (address_id or "").strip():
        # We have no geocoder: guessing a point from an address would send a
        # department to the wrong place. Refuse clearly instead.
        raise InvalidInput(
            _(
                "We cannot place a request by address alone: please send lat and long "
                "(WGS-84); address_string is kept as the address."
            ),
            field="lat",
        )
    raise InvalidInput(_("A location is required: lat and long (WGS-84)."), field="lat")


def _answer(attr: dict, values: list[str]) -> object:
    code, datatype = attr["code"], attr["datatype"]
    if datatype != Datatype.MULTI and len(values) > 1:
        raise InvalidInput(_("Attribute %(c)s takes one value.") % {"c": code}, field=code)
    if datatype in LIST_TYPES:
        keys = {v["key"] for v in attr.get("values", [])}
        bad = [v for v in values if v not in keys]
        if bad:
            raise InvalidInput(
                _("Attribute %(c)s has no value “%(v)s”.") % {"c": code, "v": bad[0]}, field=code
            )
        return values if datatype == Datatype.MULTI else values[0]
    value = values[0]
    if datatype == Datatype.NUMBER:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise InvalidInput(_("Attribute %(c)s must be a number.") % {"c": code}, field=code)
        return number
    if datatype == Datatype.DATETIME:
        return selectors.parse_moment(value, code).isoformat()
    return _limit(value, MAX_STRING if datatype == Datatype.STRING else MAX_DESCRIPTION, code)


def check_attributes(service: selectors.Service, raw: dict[str, list[str]]) -> dict:
    """attribute[code] answers against the service definition: every required one, no
    unknown one, each value of its datatype."""
    defs = {a["code"]: a for a in selectors.attributes(service) if a["variable"]}
    unknown = sorted(set(raw) - set(defs))
    if unknown:
        raise InvalidInput(
            _("Unknown attribute for this service: %(c)s.") % {"c": ", ".join(unknown)},
            field=unknown[0],
        )
    answers = {}
    for code, attr in defs.items():
        values = [v.strip() for v in raw.get(code, []) if v.strip()]
        if values:
            answers[code] = _answer(attr, values)
        elif attr["required"]:
            raise InvalidInput(_("Attribute %(c)s is required.") % {"c": code}, field=code)
    return answers


# ------------------------------------------------------------------ requests


@dataclass(frozen=True)
class NewRequest:
    service_code: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    media_url: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _case_text(description: str) -> tuple[str, bool]:
    if len(description) <= CASE_DESCRIPTION:
        return description, False
    return description[: CASE_DESCRIPTION - 1] + "…", True


def create_request(
    client: ApiClient, new: NewRequest, *, now: datetime | None = None
) -> tuple[ClientRequest, str]:
    """A service request becomes a submitted case marked with the client's channel.

    Returns the link and the service notice for the client. Everything is checked
    before anything is written; the case and its link are one transaction.
    """
    now = now or timezone.now()
    service = selectors.find_service((new.service_code or "").strip())
    if service is None:
        raise InvalidInput(
            _("Unknown service_code “%(c)s”.") % {"c": new.service_code}, field="service_code"
        )
    description = (new.description or "").strip()
    if not description:
        raise InvalidInput(_("A description of the problem is required."), field="description")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            _("description may have at most %(n)d characters (got %(got)d).")
            % {"n": MAX_DESCRIPTION, "got": len(description)},
            field="description",
        )
    lat, lng = _location(new.lat, new.long, new.address_string, new.address_id)
    address = _limit(new.address_string, 200, "address_string")
    phone = _limit(new.phone, 32, "phone")
    extra = {
        "media_url": _url(new.media_url, "media_url"),
        "email": _email(new.email),
        "first_name": _limit(new.first_name, 100, "first_name"),
        "last_name": _limit(new.last_name, 100, "last_name"),
        "device_id": _limit(new.device_id, 100, "device_id"),
        "account_id": _limit(new.account_id, 100, "account_id"),
    }
    answers = check_attributes(service, new.attributes)
    case_text, shortened = _case_text(description)
    report = cases.Report(
        category=service.category.code,
        subcategory=service.subcategory.code if service.subcategory else None,
        description=case_text,
        lat=lat,
        lng=lng,
        address=address,
        phone=phone,
        channel=client.channel,
    )
    with transaction.atomic():
        # The reporter's tracking token is not returned: the client follows the
        # case by its number, and the reporter through the client.
        case, _token = cases.submit(report, now=now)
        link = ClientRequest.objects.create(
            case=case,
            client=client,
            description=description,
            attributes=answers,
            address_string=address,
            created_at=now,
            **extra,
        )
    notice = _("Received. The centre will decide within its time limit whether to file it.")
    if shortened:
        notice += " " + _(
            "The description is longer than %(n)d characters: the case shows the first "
            "%(n)d, the full text is kept with the request and returned by this API."
        ) % {"n": CASE_DESCRIPTION}
    return link, notice


# ------------------------------------------------------------------ updates


@dataclass(frozen=True)
class NewUpdate:
    service_request_id: str = ""
    update_id: str = ""
    status: str = ""
    description: str = ""
    updated_datetime: str = ""
    media_url: str = ""


def post_update(
    client: ApiClient, new: NewUpdate, *, now: datetime | None = None
) -> tuple[ClientUpdate, bool]:
    """An external system's update to a case its key created: recorded once per
    update_id (a repeat returns the first record), never a change of state."""
    now = now or timezone.now()
    update_id = _limit(new.update_id, 100, "update_id")
    if not update_id:
        raise InvalidInput(_("update_id is required."), field="update_id")
    number = (new.service_request_id or "").strip()
    if not number:
        raise InvalidInput(_("service_request_id is required."), field="service_request_id")
    earlier = ClientUpdate.objects.filter(client=client, update_id=update_id).first()
    if earlier is not None:
        if earlier.case.number != number:
            raise InvalidInput(
                _("update_id %(u)s was already used for another request.") % {"u": update_id},
                field="update_id",
            )
        return earlier, False
    case = Case.objects.filter(number=number).select_related("open311_request").first()
    if case is None:
        raise NotFound(_("No such service request: “%(id)s”.") % {"id": number})
    link = getattr(case, "open311_request", None)
    if link is None or link.client_id != client.pk:
        raise NotAllowed(_("This api_key may only update the requests it created."))
    status = (new.status or "").strip().upper()
    if status not in INBOUND_STATUSES:
        raise InvalidInput(
            _("status must be one of %(s)s.") % {"s": ", ".join(INBOUND_STATUSES)}, field="status"
        )
    description = _limit(new.description, MAX_DESCRIPTION, "description")
    media_url = _url(new.media_url, "media_url")
    theirs = (
        selectors.parse_moment(new.updated_datetime, "updated_datetime")
        if (new.updated_datetime or "").strip()
        else None
    )
    data = {"client": client.name, "status": status, "update_id": update_id}
    try:
        with transaction.atomic():
            event = cases.external_update(
                case, client_label=client.name, note=description, data=data, now=now
            )
            update = ClientUpdate.objects.create(
                client=client,
                update_id=update_id,
                case=case,
                event=event,
                status=status,
                description=description,
                media_url=media_url,
                updated_datetime=theirs,
                created_at=now,
            )
    except IntegrityError:
        # The same update_id raced in from a second connection: the first one won.
        return ClientUpdate.objects.get(client=client, update_id=update_id), False
    return update, True
