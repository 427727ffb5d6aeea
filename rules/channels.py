"""The outside channels that deliver a notification besides the in-app inbox: e-mail, the SMS
gateway of a government messaging platform (HTTP), and the group robot of a unit's duty group
in WeCom or DingTalk (HTTP webhook).

A channel says where a notification goes for a user or a duty group (`address_for_user`,
`address_for_group`: empty when it does not go there) and sends one delivery within a timeout,
raising on any failure. It never records anything: the delivery state machine in
`rules.deliveries` claims, retries and records. `at_most_once` says what happens when a worker
dies after handing a message to the channel but before recording the outcome: an at-most-once
channel gives the delivery up (an administrator may send it again), an at-least-once channel
sends it again (the recipient may then get it twice)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection

from directory.models import User

from .models import (
    Delivery,
    DeliveryChannel,
    DeliveryPreference,
    DutyGroup,
    RobotPlatform,
    mobile_validator,
)

RESPONSE_LIMIT = 64 * 1024  # bytes of a gateway's answer read (it is short; never trust it)


class DeliveryError(Exception):
    """The channel could not take the message; the text is kept on the delivery."""


class Channel(Protocol):
    name: str
    at_most_once: bool

    def address_for_user(self, user: User, preference: DeliveryPreference | None) -> str: ...

    def address_for_group(self, group: DutyGroup) -> str: ...

    def timeout(self) -> float: ...

    def send(self, delivery: Delivery, *, timeout: float) -> None: ...


def item_lines(notification: Any) -> list[str]:
    return [str(item.get("text", "")) for item in notification.items if item.get("text")]


class EmailChannel:
    """SMTP through Django's mail settings. At least once: SMTP cannot be asked whether a
    message whose final reply never came was taken, so an interrupted send is repeated."""

    name = DeliveryChannel.EMAIL
    at_most_once = False

    def address_for_user(self, user: User, preference: DeliveryPreference | None) -> str:
        wanted = preference is None or preference.email
        return user.email if user.email and wanted else ""

    def address_for_group(self, group: DutyGroup) -> str:
        return ""

    def timeout(self) -> float:
        return float(getattr(settings, "EMAIL_TIMEOUT", None) or 30)

    def send(self, delivery: Delivery, *, timeout: float) -> None:
        notification = delivery.notification
        body = "\n".join(f"- {line}" for line in item_lines(notification))
        connection = get_connection(timeout=timeout)
        message = EmailMessage(
            notification.title, body, None, [delivery.address], connection=connection
        )
        try:
            sent = message.send(fail_silently=False)
        except Exception as exc:  # SMTP errors, refused or dropped connections, timeouts
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if sent != 1:
            raise DeliveryError("the mail server accepted no recipient")


def _post(url: str, data: bytes, content_type: str, timeout: float) -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310  (an address the administrator configured)
        url, data=data, method="POST", headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(RESPONSE_LIMIT).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        body = exc.read(RESPONSE_LIMIT).decode("utf-8", "replace")
        raise DeliveryError(f"HTTP {exc.code}: {body[:300]}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def person_mobile(user: User) -> str:
    person = user.person if user.person_id else None
    phone = "".join(ch for ch in (person.phone if person else "") if ch.isdigit())
    try:
        mobile_validator(phone)
    except ValidationError:  # a landline or nothing: no text messages to it
        return ""
    return phone


class SmsGatewayChannel:
    """A government SMS platform's HTTP interface: one form-encoded POST per message to
    SMS_GATEWAY_URL with `account`, `password`, `mobile`, `content` and `msgid` (the delivery's
    own id, stable across attempts, so that a gateway which drops repeated ids never sends one
    twice), plus the fixed fields of SMS_GATEWAY_EXTRA. Success is a 2xx answer that contains
    SMS_GATEWAY_SUCCESS when that is set. At most once: an interrupted send is given up."""

    name = DeliveryChannel.SMS
    at_most_once = True

    def configured(self) -> bool:
        return bool(getattr(settings, "SMS_GATEWAY_URL", ""))

    def address_for_user(self, user: User, preference: DeliveryPreference | None) -> str:
        if preference is None or not preference.sms or not self.configured():
            return ""
        return preference.mobile or person_mobile(user)

    def address_for_group(self, group: DutyGroup) -> str:
        return ""

    def timeout(self) -> float:
        return float(getattr(settings, "SMS_GATEWAY_TIMEOUT", 15))

    def content(self, notification: Any) -> str:
        template = getattr(settings, "SMS_GATEWAY_TEMPLATE", "") or "【{site}】{title}"
        text = template.format(
            site=settings.SITE_NAME,
            title=notification.title,
            items="；".join(item_lines(notification)),
            count=len(notification.items),
        )
        return text[:300]

    def send(self, delivery: Delivery, *, timeout: float) -> None:
        if not self.configured():
            raise DeliveryError("SMS_GATEWAY_URL is not set")
        fields = dict(urllib.parse.parse_qsl(getattr(settings, "SMS_GATEWAY_EXTRA", "")))
        fields.update(
            account=getattr(settings, "SMS_GATEWAY_ACCOUNT", ""),
            password=getattr(settings, "SMS_GATEWAY_PASSWORD", ""),
            mobile=delivery.address,
            content=self.content(delivery.notification),
            msgid=f"MQ{delivery.pk}",
        )
        data = urllib.parse.urlencode(fields).encode()
        status, body = _post(
            settings.SMS_GATEWAY_URL,
            data,
            "application/x-www-form-urlencoded; charset=utf-8",
            timeout,
        )
        success = getattr(settings, "SMS_GATEWAY_SUCCESS", "")
        if not 200 <= status < 300 or (success and success not in body):
            raise DeliveryError(f"HTTP {status}: {body[:300]}")


def dingtalk_signed(url: str, secret: str, now_ms: int | None = None) -> str:
    """The address with DingTalk's `timestamp` and `sign` (HMAC-SHA256 of "timestamp\\nsecret")."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


class RobotWebhookChannel:
    """The group robot of a unit's duty group: a JSON text message to its webhook. WeCom and
    DingTalk both answer HTTP 200 with `errcode` 0 on success (and another errcode, e.g. when
    too many messages were sent, otherwise). At most once: an interrupted send is given up."""

    name = DeliveryChannel.WEBHOOK
    at_most_once = True

    def address_for_user(self, user: User, preference: DeliveryPreference | None) -> str:
        return ""

    def address_for_group(self, group: DutyGroup) -> str:
        return group.masked_url if group.active else ""

    def timeout(self) -> float:
        return float(getattr(settings, "WEBHOOK_TIMEOUT", 15))

    def send(self, delivery: Delivery, *, timeout: float) -> None:
        notification = delivery.notification
        group: DutyGroup = notification.group
        text = "\n".join([notification.title, *(f"- {line}" for line in item_lines(notification))])
        url = group.webhook_url
        if group.platform == RobotPlatform.DINGTALK and group.secret:
            url = dingtalk_signed(url, group.secret)
        payload = {"msgtype": "text", "text": {"content": text[:4000]}}
        data = json.dumps(payload, ensure_ascii=False).encode()
        status, body = _post(url, data, "application/json; charset=utf-8", timeout)
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise DeliveryError(f"HTTP {status}: not a robot's answer: {body[:200]}") from exc
        if not isinstance(answer, dict) or answer.get("errcode") != 0:
            raise DeliveryError(f"HTTP {status}: {body[:300]}")


CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    """Add (or replace) a channel; its name must be one of DeliveryChannel's values."""
    CHANNELS[channel.name] = channel


for _channel in (EmailChannel(), SmsGatewayChannel(), RobotWebhookChannel()):
    register_channel(_channel)
