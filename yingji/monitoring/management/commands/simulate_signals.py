"""`manage.py simulate_signals`: the demo bank's call centre and two outlets report signals every few
seconds (yingji/monitoring/simulator.py), as their systems would over the API, until stopped."""

import signal
import time
from datetime import timedelta

from django.core.management.base import BaseCommand

from yingji.core import clock
from yingji.monitoring import simulator
from yingji.monitoring.defaults import ensure_rules


class Command(BaseCommand):
    help = "Send the demo call centre's and two outlets' signals every few seconds, until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between two sends.")
        parser.add_argument("--minutes", type=int, default=0, help="Stop after this many minutes (0: never).")

    def handle(self, *args, interval: float, minutes: int, **options) -> None:
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        ensure_rules()
        sender = simulator.integration()
        started = clock.now().replace(second=0, microsecond=0)
        run = simulator.Simulator(started=started)
        self.stdout.write(f"simulate_signals: sending as “{sender.name}” every {interval:g} s", ending="\n")
        while not stopping:
            now = clock.now()
            if minutes and now - started >= timedelta(minutes=minutes):
                break
            done = run.send(sender, now.replace(second=0, microsecond=0))
            for warning in done.changed:
                self.stdout.write(f"{now:%H:%M:%S} {warning.get_status_display()}: {warning.title}")
            self.stdout.flush()
            slept = 0.0
            while slept < interval and not stopping:
                time.sleep(min(0.5, interval - slept))
                slept += 0.5
        self.stdout.write("simulate_signals: stopped")
