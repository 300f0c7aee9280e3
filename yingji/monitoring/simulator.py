"""A realistic stream of signals for demos and tests: the call centre's ACD (a daily call curve, agents
logged in, the CTI system's status with an outage) and two outlets' queue systems (a morning surge at
one of them, the queue machine's status). Points are a pure function of the time since the run began,
so a test replays exactly what a demo shows:

- 0–2 min: 和谐路营业部's queue surges past the rule's number (a warning at once), then calms down; it
  clears once calm for the clearing minutes (本行设定 5): raised and cleared within the first minutes.
- from 20 min: the call centre's CTI is down for 70 minutes; at 60 minutes the seed's rule reports an
  incident by itself, and the warning clears once it is back.
- all along: calls offered follow the day's curve; 接通率 and 服务水平 dip when the CTI is down."""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from yingji.core import clock
from yingji.orgs.models import Person, Unit, UnitType

from . import services
from .models import Integration

CALL_CENTRE = "CC"
OUTLETS = ("JN0101", "JN0102")  # 和谐路营业部 (the surge), 和谐广场网点
SURGE = (timedelta(0), timedelta(minutes=2))
OUTAGE = (timedelta(minutes=20), timedelta(minutes=90))
NAME = "演示信号模拟器"


def calls_per_minute(moment: datetime) -> float:
    """The day's curve in Asia/Shanghai: quiet at night, peaks at 10:00 and 15:00."""
    local = moment.astimezone(clock.SHANGHAI)
    hour = local.hour + local.minute / 60
    peaks = 38 * math.exp(-((hour - 10) ** 2) / 3) + 30 * math.exp(-((hour - 15) ** 2) / 4)
    return 4 + peaks


@dataclass
class Simulator:
    started: datetime
    seed: int = 2026

    def points(self, at: datetime) -> list[dict]:
        """Everything the systems report for the minute that starts at `at`."""
        since = at - self.started
        rng = random.Random(f"{self.seed}:{int(at.timestamp())}")
        down = OUTAGE[0] <= since < OUTAGE[1]
        offered = max(round(calls_per_minute(at) * rng.uniform(0.85, 1.15)), 25)
        answered = round(offered * (rng.uniform(0.25, 0.4) if down else rng.uniform(0.93, 0.99)))
        within = round(answered * (rng.uniform(0.5, 0.6) if down else rng.uniform(0.86, 0.93)))
        acd = [
            ("calls_offered", offered),
            ("calls_answered", answered),
            ("calls_answered_20s", within),
            ("agents_logged_in", rng.randint(38, 44)),
            ("system_status", 0 if down else 1),
        ]
        found = [{"source": "acd", "unit": CALL_CENTRE, "metric": m, "at": at, "value": v} for m, v in acd]
        surging = SURGE[0] <= since < SURGE[1]
        for code in OUTLETS:
            people = rng.randint(34, 42) if surging and code == OUTLETS[0] else rng.randint(3, 14)
            for metric, value in (
                ("queue_length", people),
                ("longest_wait_minutes", round(people * 0.6)),
                ("queue_machine_status", 1),
            ):
                found.append({"source": "queue", "unit": code, "metric": metric, "at": at, "value": value})
        return found

    def send(self, integration: Integration, at: datetime) -> services.Ingested:
        return services.ingest(integration=integration, points=self.points(at))


def integration() -> Integration:
    """The simulator's own integration (made once): the call centre and 和谐支行, 曹总经理 its contact."""
    with transaction.atomic():
        found = Integration.objects.filter(name=NAME, revoked_at__isnull=True).first()
        if found is not None:
            return found
        units = [Unit.objects.get(code=CALL_CENTRE), Unit.objects.get(code="JN01")]
        contact = Person.objects.filter(unit__type=UnitType.HEAD_OFFICE, positions__code="leader").first()
        contact = contact or Person.objects.filter(unit__depth=1).first()
        made, _raw = services.issue_integration(
            actor=None, name=NAME, kind=Integration.Kind.HEALTH_CHECK, units=units, contact=contact
        )
        return made
