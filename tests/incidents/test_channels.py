"""A notice also goes out by e-mail, SMS and the units' group robots (企业微信, 钉钉) from a background
job: each delivery is sent once however often the job runs, and a robot that fails is tried again."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from yingji.core.models import JobFailure
from yingji.core.testing import footprint, run_jobs
from yingji.incidents.models import Incident
from yingji.notify import services as notify
from yingji.notify.models import Delivery, DeliveryStatus, Notice
from yingji.notify.tasks import deliver_notices

from .factories import ReportFactory, WebhookFactory, unit

pytestmark = pytest.mark.usefixtures("library")


@dataclass
class Robots:
    """Group robots on 127.0.0.1: they keep every JSON body posted to them and answer `answer`."""

    base: str
    posts: list[tuple[str, dict]] = field(default_factory=list)
    answer: dict = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})

    def url(self, name: str) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={name}"

    def posted_to(self, name: str) -> list[dict]:
        return [body for path, body in self.posts if path.endswith(f"key={name}")]


@pytest.fixture
def robots() -> Iterator[Robots]:
    state: Robots

    class Robot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.posts.append((self.path, body))
            answer = json.dumps(state.answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Robot)
    state = Robots(base=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def report(django_capture_on_commit_callbacks, **fields) -> Incident:
    with django_capture_on_commit_callbacks(execute=True):
        return ReportFactory(**fields)


def deliveries_of(incident: Incident):
    return Delivery.objects.filter(notice__subject_type="incidents.incident", notice__subject_id=incident.pk)


def work(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return run_jobs()


# --- each channel -----------------------------------------------------------------------------------


def test_the_outlet_head_gets_an_email(now, hexie_lobby, hexie_manager, django_capture_on_commit_callbacks):
    hexie_manager.user.email = "zheng.hexie@bank.example"
    hexie_manager.user.save()
    incident = report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["zheng.hexie@bank.example"]
    assert message.subject.startswith("【应急】") and "客户意外受伤" in message.subject
    assert incident.number in message.body and incident.get_absolute_url() in message.body
    email = deliveries_of(incident).get(channel="email")
    assert email.status == DeliveryStatus.SENT and email.sent_at == incident.reported_at


def test_every_person_told_gets_an_sms(now, hexie_lobby, django_capture_on_commit_callbacks, sms_outbox):
    incident = report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    # 郑和谐, 刘和谐, 韩应急
    assert sorted(mobile for mobile, _ in sms_outbox) == ["13900000003", "13900000014", "13900000024"]
    assert all(text.startswith("【应急】") and incident.number in text for _, text in sms_outbox)
    assert set(deliveries_of(incident).filter(channel="sms").values_list("status", flat=True)) == {"sent"}


def test_the_outlets_wecom_robot_gets_the_documented_markdown_message(
    now, hexie_lobby, robots, django_capture_on_commit_callbacks
):
    WebhookFactory(unit=unit("JN0101"), kind="wecom", url=robots.url("hexie-wecom"))
    incident = report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    [body] = robots.posted_to("hexie-wecom")
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert content.startswith("### 【应急】") and incident.number in content and "和谐路营业部" in content


def test_the_sub_branchs_dingtalk_robot_gets_the_documented_markdown_message(
    now, hexie_lobby, robots, django_capture_on_commit_callbacks
):
    WebhookFactory(unit=unit("JN01"), kind="dingtalk", url=robots.url("hexie-ding"))
    incident = report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    [body] = robots.posted_to("hexie-ding")  # one post for the unit, not one per person
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"].startswith("【应急】") and "客户意外受伤" in body["markdown"]["title"]
    assert incident.number in body["markdown"]["text"]


def test_a_robot_of_a_unit_not_told_hears_nothing(
    now, hexie_lobby, robots, django_capture_on_commit_callbacks
):
    WebhookFactory(unit=unit("JN"), kind="wecom", url=robots.url("branch"))  # a Ⅲ stops at 和谐支行
    WebhookFactory(unit=unit("JN0101"), kind="wecom", url=robots.url("off"), is_active=False)
    report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    assert robots.posts == []


# --- once, however often the job runs ---------------------------------------------------------------


def test_a_delivery_is_sent_once_when_the_job_runs_twice(
    now, hexie_lobby, hexie_manager, robots, sms_outbox, django_capture_on_commit_callbacks
):
    hexie_manager.user.email = "zheng.hexie@bank.example"
    hexie_manager.user.save()
    WebhookFactory(unit=unit("JN0101"), kind="wecom", url=robots.url("hexie-wecom"))
    incident = report(django_capture_on_commit_callbacks)
    ids = list(Notice.objects.filter(subject_id=incident.pk).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        deliver_notices.enqueue(notice_ids=ids)  # the job, enqueued a second time (at-least-once)
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_notices").count() == 2
    work(django_capture_on_commit_callbacks)
    assert (len(mail.outbox), len(sms_outbox), len(robots.posts)) == (1, 3, 1)
    assert set(deliveries_of(incident).values_list("attempts", flat=True)) == {1}
    assert (
        DBTaskResult.objects.filter(task_path__endswith="deliver_notices", status="SUCCESSFUL").count() == 2
    )


def test_a_delivery_another_worker_is_sending_is_left_to_it(
    now, hexie_lobby, sms_outbox, django_capture_on_commit_callbacks
):
    incident = report(django_capture_on_commit_callbacks)
    taken = deliveries_of(incident).filter(channel="sms").first()
    assert notify.claim(taken)  # another worker has just taken it
    assert not notify.claim(taken)  # of two workers, one wins
    work(django_capture_on_commit_callbacks)
    assert len(sms_outbox) == 2  # the other two, not the one taken
    taken.refresh_from_db()
    assert taken.status == DeliveryStatus.SENDING and taken.attempts == 1


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over(
    now, hexie_lobby, sms_outbox, django_capture_on_commit_callbacks
):
    incident = report(django_capture_on_commit_callbacks)
    stuck = deliveries_of(incident).filter(channel="sms").first()
    assert notify.claim(stuck)  # the worker died before it could mark it
    now.advance(minutes=6)
    ids = list(Notice.objects.filter(subject_id=incident.pk).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        deliver_notices.enqueue(notice_ids=ids)
    work(django_capture_on_commit_callbacks)
    stuck.refresh_from_db()
    assert stuck.status == DeliveryStatus.SENT and stuck.attempts == 2
    assert len(sms_outbox) == 3


# --- a robot that fails -----------------------------------------------------------------------------


def test_a_robot_that_refuses_leaves_the_delivery_failed_and_the_job_retries(
    now, hexie_lobby, robots, sms_outbox, django_capture_on_commit_callbacks
):
    WebhookFactory(unit=unit("JN0101"), kind="wecom", url=robots.url("hexie-wecom"))
    robots.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    incident = report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    robot = deliveries_of(incident).get(channel__startswith="webhook:")
    assert robot.status == DeliveryStatus.FAILED and "93000" in robot.error and robot.sent_at is None
    failure = JobFailure.objects.get()
    assert failure.task_path.endswith("deliver_notices") and "93000" in failure.error
    retry = DBTaskResult.objects.get(status="READY", task_path__endswith="deliver_notices")
    assert retry.run_after >= timezone.now() + timedelta(seconds=20)  # backed off, not at once
    assert len(sms_outbox) == 3  # the others went out

    robots.answer = {"errcode": 0, "errmsg": "ok"}
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now() - timedelta(seconds=1))
    work(django_capture_on_commit_callbacks)
    robot.refresh_from_db()
    assert robot.status == DeliveryStatus.SENT and robot.attempts == 2 and robot.error == ""
    assert len(robots.posted_to("hexie-wecom")) == 2 and len(sms_outbox) == 3  # SMS not sent again


def test_a_robot_that_is_down_leaves_the_delivery_failed_with_its_error(
    now, hexie_lobby, django_capture_on_commit_callbacks
):
    with socket_nobody_listens_on() as url:
        WebhookFactory(unit=unit("JN0101"), kind="dingtalk", url=url)
        incident = report(django_capture_on_commit_callbacks)
        work(django_capture_on_commit_callbacks)
    robot = deliveries_of(incident).get(channel__startswith="webhook:")
    assert robot.status == DeliveryStatus.FAILED and "refused" in robot.error.lower()
    assert JobFailure.objects.filter(task_path__endswith="deliver_notices").count() == 1
    assert DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_notices").count() == 1


class socket_nobody_listens_on:
    """An address on 127.0.0.1 with nothing behind it: a port that was just free."""

    def __enter__(self) -> str:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"http://127.0.0.1:{port}/robot/send"

    def __exit__(self, *exc) -> None:
        pass


# --- two workers at once (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks between real connections")
@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_delivery_once(demo, library, robots, sms_outbox):
    from django.db import connections

    WebhookFactory(unit=unit("JN0101"), kind="wecom", url=robots.url("hexie-wecom"))
    incident = ReportFactory()  # no test transaction: the jobs are enqueued on commit
    ids = list(Notice.objects.filter(subject_id=incident.pk).values_list("pk", flat=True))
    start = threading.Barrier(2)
    sent: list[int] = []

    def worker() -> None:
        try:
            start.wait()
            sent.append(deliver_notices.func(None, notice_ids=ids))  # the job's body, as a worker runs it
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == deliveries_of(incident).count() == 4  # three SMS and one robot post
    assert len(sms_outbox) == 3 and len(robots.posts) == 1
    assert set(deliveries_of(incident).values_list("attempts", flat=True)) == {1}
    assert footprint()["notify.Delivery"] == 4


def test_a_gateway_that_breaks_unexpectedly_leaves_the_sms_failed_and_it_goes_out_on_the_retry(
    now, hexie_lobby, sms_outbox, django_capture_on_commit_callbacks, monkeypatch
):
    from yingji.notify.channels.sms import ConsoleGateway

    sending = ConsoleGateway.send

    def broken(self, mobile, text):
        raise RuntimeError("gateway answered garbage")

    monkeypatch.setattr(ConsoleGateway, "send", broken)
    incident = report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    sms = deliveries_of(incident).filter(channel="sms")
    assert sms.exists() and all(d.status == DeliveryStatus.FAILED for d in sms)
    assert all("RuntimeError" in d.error for d in sms)

    monkeypatch.setattr(ConsoleGateway, "send", sending)
    DBTaskResult.objects.filter(status="READY", task_path__endswith="deliver_notices").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )
    work(django_capture_on_commit_callbacks)
    assert all(d.status == DeliveryStatus.SENT for d in sms.all())
    assert len(sms_outbox) == sms.count()


class BankGateway:
    """What a bank plugs in with SMS_GATEWAY=dotted.path: a class with send(mobile, text)."""

    sent: list[tuple[str, str]] = []

    def send(self, mobile: str, text: str) -> None:
        BankGateway.sent.append((mobile, text))


def test_the_gateway_the_setting_names_sends_the_sms(
    now, hexie_lobby, sms_outbox, django_capture_on_commit_callbacks, settings
):
    settings.SMS_GATEWAY = f"{__name__}.BankGateway"
    BankGateway.sent.clear()
    incident = report(django_capture_on_commit_callbacks)
    work(django_capture_on_commit_callbacks)
    sms = deliveries_of(incident).filter(channel="sms")
    assert sms.exists() and all(d.status == DeliveryStatus.SENT for d in sms)
    assert len(BankGateway.sent) == sms.count() and not sms_outbox  # not the console
    assert all(text.startswith("【应急】") for _, text in BankGateway.sent)
