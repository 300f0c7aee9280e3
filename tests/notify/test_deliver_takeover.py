"""A copy of a notice whose worker died while sending it is sent again by a live worker, with the same
delivery key, so a channel that deduplicates shows it once; the notice page says its outcome was
unknown. Every channel is given the key."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yingji.core import clock, jobs, workers
from yingji.core.models import WorkerLease
from yingji.core.testing import run_jobs
from yingji.notify import services as notify
from yingji.notify.channels import channel_for
from yingji.notify.channels.sms import ConsoleGateway
from yingji.notify.models import Delivery, DeliveryStatus, Webhook
from yingji.notify.recipients import Recipient
from yingji.notify.services import Subject


@pytest.fixture
def now():
    with clock.frozen(timezone.now().replace(microsecond=0)) as frozen:
        yield frozen


@pytest.fixture(autouse=True)
def clean_gateway(monkeypatch):
    monkeypatch.setattr(workers, "close_old_connections", lambda: None)
    ConsoleGateway.outbox.clear()
    ConsoleGateway.message_ids.clear()
    yield
    ConsoleGateway.outbox.clear()
    ConsoleGateway.message_ids.clear()


def tell(person, django_capture_on_commit_callbacks, title="网点停电") -> Delivery:
    """One notice to `person` (their SMS copy is returned); its delivery job is enqueued on commit."""
    subject = Subject("tests.outage", 1, person.unit, title, "请立即处置。", "/incidents/")
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = notify.notify(
            subject=subject,
            recipients=[Recipient(person=person, unit=person.unit, reason="网点负责人")],
            ack_minutes=None,
            round_key="first",
        )
    return Delivery.objects.select_related("notice").get(notice=notice, channel="sms")


def sending_when_its_worker_died(delivery: Delivery, worker_id: str, *, seconds_ago: float) -> None:
    """The worker took the delivery, handed the SMS to the gateway, and was killed before it could
    record that: whether the message went out is not known."""
    WorkerLease.objects.create(
        worker_id=worker_id,
        host="worker-1",
        pid=4242,
        started_at=timezone.now() - timedelta(hours=1),
        last_seen=timezone.now() - timedelta(seconds=seconds_ago),
    )
    job = DBTaskResult.objects.get(task_path__endswith="deliver_notices")
    job.claim(worker_id)
    token = jobs._worker.set(worker_id)
    try:
        assert notify.claim(delivery)
    finally:
        jobs._worker.reset(token)
    channel_for("sms").send(Delivery.objects.select_related("notice__recipient").get(pk=delivery.pk))


def test_an_sms_left_sending_by_a_killed_worker_is_sent_again_with_the_same_key(
    now, client, hexie_manager, django_capture_on_commit_callbacks
):
    sms = tell(hexie_manager, django_capture_on_commit_callbacks)
    sending_when_its_worker_died(sms, "killed-worker", seconds_ago=60)
    assert run_jobs() == 0  # nothing else comes for this notice: today it stays "sending" for ever

    assert workers.reap(by="live-worker") >= 1
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.UNKNOWN and sms.taken_over_at == now.advance()
    client.force_login(hexie_manager.user)
    assert "结果未知，正由其他进程接管重发" in client.get("/notices/").content.decode()

    run_jobs()
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT and sms.attempts == 2
    assert ConsoleGateway.message_ids == [sms.key, sms.key]  # the gateway sends one of the two
    assert sms.key.startswith(f"yj-{sms.pk}-")
    page = client.get("/notices/").content.decode()
    assert "已发送（首次发送结果未知，已由其他进程接管重发）" in page


def test_an_sms_a_live_worker_is_sending_is_left_to_it(
    now, hexie_manager, django_capture_on_commit_callbacks
):
    sms = tell(hexie_manager, django_capture_on_commit_callbacks)
    sending_when_its_worker_died(sms, "busy-worker", seconds_ago=2)  # not dead: renewed 2 s ago
    jobs_before = DBTaskResult.objects.count()
    assert workers.reap(by="live-worker") == 0
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENDING and sms.taken_over_at is None
    assert DBTaskResult.objects.count() == jobs_before and ConsoleGateway.message_ids == [sms.key]


def test_the_email_carries_the_delivery_key_as_its_message_id(
    now, hexie_manager, django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "应急 <yingji@bank.example>"
    hexie_manager.user.email = "zheng.hexie@bank.example"
    hexie_manager.user.save()
    sms = tell(hexie_manager, django_capture_on_commit_callbacks)
    run_jobs()
    email = Delivery.objects.get(notice=sms.notice, channel="email")
    [message] = mail.outbox
    assert message.message()["Message-ID"] == f"<{email.key}@bank.example>"
    assert email.key != sms.key


class KeyedGateway:
    """A bank's gateway that takes the message id (and sends a repeated id once)."""

    received: list[tuple[str, str, str]] = []

    def send(self, mobile: str, text: str, message_id: str) -> None:
        KeyedGateway.received.append((message_id, mobile, text))


def test_a_gateway_that_takes_a_message_id_is_given_the_delivery_key(
    now, hexie_manager, django_capture_on_commit_callbacks, settings
):
    settings.SMS_GATEWAY = f"{__name__}.KeyedGateway"
    KeyedGateway.received.clear()
    sms = tell(hexie_manager, django_capture_on_commit_callbacks)
    run_jobs()
    assert KeyedGateway.received == [(sms.key, hexie_manager.mobile, KeyedGateway.received[0][2])]


@pytest.fixture
def robot_posts():
    """A group robot on 127.0.0.1 that keeps each post's delivery-key header and body."""
    posts: list[tuple[str, dict]] = []

    class Robot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            posts.append((self.headers.get("X-Yingji-Delivery-Key", ""), body))
            answer = b'{"errcode": 0, "errmsg": "ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=k", posts
    server.shutdown()
    server.server_close()


def test_a_group_robot_message_shows_its_delivery_key(
    now, hexie_manager, django_capture_on_commit_callbacks, robot_posts
):
    """The robots take no message id: a copy sent again may show twice, and its number says so."""
    url, posts = robot_posts
    Webhook.objects.create(unit=hexie_manager.unit, kind="wecom", url=url)
    sms = tell(hexie_manager, django_capture_on_commit_callbacks)
    run_jobs()
    robot = Delivery.objects.get(notice=sms.notice, channel__startswith="webhook:")
    [(header, body)] = posts
    assert header == robot.key and body["markdown"]["content"].endswith(f"消息编号 {robot.key}")
