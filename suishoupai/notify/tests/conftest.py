"""Real local receivers for the channels: an HTTP server (webhook, SMS gateway,
WeChat API) and a minimal SMTP server, both counting every TCP connection, so a
test can prove that nothing connected at all."""

import json
import socketserver
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from suishoupai.notify.models import ChannelCode, DepartmentContact


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class HttpReceiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    connections: int = 0
    # Status codes to answer with, in order; 200 once they run out.
    statuses: list[int] = field(default_factory=list)
    # path prefix → JSON answer (the WeChat API answers in JSON).
    answers: dict[str, dict] = field(default_factory=dict)


class _CountingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def verify_request(self, request, client_address):
        self.receiver.connections += 1
        return True


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self):
        receiver = self.server.receiver
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        receiver.requests.append(
            Received(self.command, self.path, dict(self.headers.items()), body)
        )
        status = receiver.statuses.pop(0) if receiver.statuses else 200
        answer = next(
            (a for prefix, a in receiver.answers.items() if self.path.startswith(prefix)), {}
        )
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _answer
    do_POST = _answer


@pytest.fixture
def http_receiver():
    server = _CountingHTTPServer(("127.0.0.1", 0), _Handler)
    server.receiver = HttpReceiver(url=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    server.shutdown()
    server.server_close()


@dataclass
class SmtpReceiver:
    host: str
    port: int
    connections: int = 0
    messages: list[dict] = field(default_factory=list)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        receiver = self.server.receiver
        receiver.connections += 1
        self._say("220 test ESMTP")
        envelope: dict = {"to": []}
        while line := self.rfile.readline():
            verb = line.decode().strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 test")
            elif verb == "MAIL":
                envelope["from"] = line.decode().strip()
                self._say("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(line.decode().strip())
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                envelope["data"] = data
                receiver.messages.append(envelope)
                envelope = {"to": []}
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")

    def _say(self, text):
        self.wfile.write(text.encode() + b"\r\n")


@pytest.fixture
def smtp_receiver():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.receiver = SmtpReceiver("127.0.0.1", server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def every_channel_configured(settings, http_receiver, smtp_receiver):
    """SMS gateway, WeChat API and SMTP all pointing at the local receivers."""
    settings.SMS_GATEWAY_URL = f"{http_receiver.url}/sms"
    settings.SMS_API_KEY = "sms-key"
    settings.WECHAT_APP_ID = "wx-test"
    settings.WECHAT_APP_SECRET = "wx-secret"
    settings.WECHAT_TEMPLATE_CASE_UPDATE = "tpl-1"
    settings.WECHAT_API_BASE = f"{http_receiver.url}/wechat"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_receiver.host
    settings.EMAIL_PORT = smtp_receiver.port
    http_receiver.answers = {
        "/wechat/cgi-bin/token": {"access_token": "tok-1", "expires_in": 7200},
        "/wechat/cgi-bin/message": {"errcode": 0, "errmsg": "ok"},
    }
    return http_receiver, smtp_receiver


def contact(department, channel, address, secret=""):
    return DepartmentContact.objects.create(
        department=department, channel=channel, address=address, secret=secret
    )


@pytest.fixture
def contacts(city, http_receiver):
    """市环卫中心 on the console and a signed webhook; 道外区环卫 on the console and e-mail."""
    return {
        "carl_console": contact(city.city_sanitation, ChannelCode.CONSOLE, "市环卫中心值班台"),
        "carl_webhook": contact(
            city.city_sanitation, ChannelCode.WEBHOOK, f"{http_receiver.url}/hook", "s3cret"
        ),
        "hans_console": contact(city.daowai_sanitation, ChannelCode.CONSOLE, "道外区环卫值班台"),
        "hans_email": contact(city.daowai_sanitation, ChannelCode.EMAIL, "hans@daowai.example"),
    }
