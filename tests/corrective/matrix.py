"""The corrective register's records for the access matrix (tests/test_access_matrix.py): a finding of
和谐支行 and its corrective action, owned by 和谐支行's president, made the way the product makes them."""

from yingji.corrective import services
from yingji.orgs.models import Person, Unit


def records() -> dict[str, object]:
    president = Person.objects.select_related("user", "unit").get(user__username="hexie_president")
    finding = services.record_finding(
        actor=president,
        unit=Unit.objects.get(code="JN01"),
        source_type="investigation",
        source_label="客户摔伤事件调查",
        category="facilities",
        grade="rectification",
        text="大堂地面湿滑处未放置警示牌。",
    )
    action = services.open_action(
        actor=president, findings=[finding], owner=president, text="雨天放置防滑垫和警示牌。"
    )
    return {"finding": finding.pk, "corrective_action": action.pk}
