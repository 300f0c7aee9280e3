"""Every read of the annual plans that lists or counts, scoped by `visibility` to what the viewer sees
(their unit and below); a plan outside it is answered as if it did not exist."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet

from yingji.core import clock
from yingji.orgs import visibility
from yingji.orgs.visibility import Viewer

from .models import AnnualPlan, PlanStatus, PlanTask, TaskStatus, TemplatePhase


def plans_for(viewer: Viewer, *, year: int | None = None) -> QuerySet[AnnualPlan]:
    qs = visibility.visible(AnnualPlan.objects.select_related("unit", "approved_by"), viewer)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "unit__path")


def plan_for(*, viewer: Viewer, pk: int) -> AnnualPlan:
    return visibility.get_visible_or_404(
        AnnualPlan.objects.select_related("unit", "created_by", "submitted_by", "approved_by"), viewer, pk=pk
    )


def tasks_for(viewer: Viewer, *, plan: AnnualPlan | None = None) -> QuerySet[PlanTask]:
    qs = visibility.visible(PlanTask.objects.all(), viewer, "plan__unit")
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.select_related("plan__unit", "phase", "owner_unit", "owner_position", "owner_person").order_by(
        "plan__year", "plan__unit__path", "due_on", "sort_order", "pk"
    )


def task_for(*, viewer: Viewer, plan: AnnualPlan, pk: int) -> PlanTask:
    from yingji.core.errors import NotVisible

    found = tasks_for(viewer, plan=plan).filter(pk=pk).first()
    if found is None:
        raise NotVisible()
    found.plan = plan
    return found


def is_overdue(task: PlanTask, now=None) -> bool:
    return (
        task.status == TaskStatus.OPEN
        and task.plan.status == PlanStatus.APPROVED
        and task.due_at <= (now or clock.now())
    )


@dataclass
class Cell:
    done: int = 0
    late: int = 0
    open: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.late + self.open + self.overdue


@dataclass
class Row:
    plan: AnnualPlan
    cells: dict[str, Cell] = field(default_factory=dict)
    by_phase: list[Cell] = field(default_factory=list)
    total: Cell = field(default_factory=Cell)


def progress(viewer: Viewer, *, year: int) -> tuple[list[TemplatePhase], list[Row]]:
    """Per plan (unit) and per phase: tasks done on time, done late, open (not yet due) and overdue.
    Two queries whatever the number of units."""
    now = clock.now()
    plans = list(plans_for(viewer, year=year))
    rows = {p.pk: Row(plan=p) for p in plans}
    counted = (
        PlanTask.objects.filter(plan__in=plans)
        .values("plan_id", "phase__code")
        .annotate(
            done=Count("pk", filter=Q(status=TaskStatus.DONE, done_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(status=TaskStatus.DONE, done_at__gt=F("due_at"))),
            overdue=Count(
                "pk", filter=Q(status=TaskStatus.OPEN, due_at__lte=now, plan__status=PlanStatus.APPROVED)
            ),
            all_open=Count("pk", filter=Q(status=TaskStatus.OPEN)),
        )
        .order_by()
    )
    for c in counted:
        cell = Cell(done=c["done"], late=c["late"], open=c["all_open"] - c["overdue"], overdue=c["overdue"])
        row = rows[c["plan_id"]]
        row.cells[c["phase__code"]] = cell
        for key in ("done", "late", "open", "overdue"):
            setattr(row.total, key, getattr(row.total, key) + getattr(cell, key))
    phases = list(TemplatePhase.objects.all())
    for row in rows.values():
        row.by_phase = [row.cells.get(ph.code) or Cell() for ph in phases]
    return phases, list(rows.values())
