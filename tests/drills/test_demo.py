"""`make run`'s demo bank has drills at each stage, so the drill pages open on something real."""

from yingji.corrective.models import Finding
from yingji.drills import evaluation as reads
from yingji.drills.demo import load_demo_drills
from yingji.drills.models import Drill, Inject, Status


def test_the_demo_has_a_finished_a_live_and_a_planned_drill(templates):
    assert load_demo_drills() == 3

    finished = Drill.objects.get(title__contains="第三季度")
    assert finished.unit.name == "和谐路营业部" and finished.status == Status.REPORTED
    assert finished.report.approved_at is not None and finished.report.approver.name == "刘和谐"
    points, passed, _table = reads.score(finished)
    assert points is not None and passed
    assert all(r.rating for r in reads.action_results(finished))
    assert Finding.objects.filter(drill_link__drill=finished).count() == 3
    assert Drill.objects.get(status=Status.RUNNING).injects.filter(status=Inject.State.RELEASED).exists()
    assert Drill.objects.get(title__contains="第四季度").status == Status.PLANNED

    assert load_demo_drills() == 0  # running it again adds nothing
