"""The shipped wording of the two letters. Seed 001 says only that the branch signs 安全责任书 with every
department, business department and 营业部 and with every employee by 3月10日; the responsibilities below
take its words where it has them (the five checks, 有记录、有反馈、有整改, the quarterly safety, fire and
拒腐防变 education, punishing whoever answers for a 重大安全隐患) and are otherwise the bank's standard
clauses: data in `LetterTemplate`, which head office edits on the template page (本行设定)."""

from .models import Kind, LetterTemplate

SHIPPED: dict[str, dict[str, str]] = {
    Kind.UNIT: {
        "title": "单位（部门）安全责任书",
        "preamble": (
            "为认真落实安全保卫工作“预防为主”的原则，明确安全保卫工作责任，确保{year}年度全年安全无事故，"
            "{party_a}与{party_b}签订本责任书。{party_b}负责人是本单位安全保卫工作第一责任人，对本单位的"
            "安全保卫工作负总责。"
        ),
        "clauses": "\n".join(
            [
                "健全并落实本单位安全保卫规章制度，联系本单位实际，在发展中完善，在需要中充实。",
                "每月、每季度开展安全检查：查规章制度的健全性、查责任制度落实情况、查用电安全、查防火安全、"
                "查安全防范器械及报警操作；检查做到有记录、有反馈、有整改。",
                "按季度组织员工安全教育、消防教育和拒腐防变警示教育，督促员工领悟安全风险意识对于业务流程"
                "合规操作的重要性。",
                "3月10日前与本单位每一位员工签订安全责任书，新入职员工及时签订。",
                "按应急预案定期组织演练，确保员工熟悉本岗位在各类突发事件中的职责与处置要点。",
                "发生案件、事故或突发事件，立即按规定报告并组织先期处置，不得迟报、漏报、瞒报。",
                "对检查发现的重大安全隐患及时整改，对责任人及时进行处罚。",
                "未履行本责任书造成案件、事故或损失的，依照本行规定追究{party_b}负责人及相关人员的责任。",
            ]
        ),
        "closing": "本责任书一式两份，双方各执一份，自签订之日起至{year}年12月31日有效。",
    },
    Kind.EMPLOYEE: {
        "title": "员工安全责任书",
        "preamble": (
            "为落实安全保卫责任制，确保{year}年度全年安全无事故，{party_a}与员工{party_b}签订本责任书。"
            "员工{party_b}对本岗位的安全负责，承诺履行以下责任。"
        ),
        "clauses": "\n".join(
            [
                "严格遵守本行安全保卫规章制度和本岗位操作规程。",
                "熟悉应急预案中本岗位的职责和处置要点，按时参加安全教育、消防教育、拒腐防变警示教育和应急演练。",
                "正确使用安全防范器械和报警装置，爱护消防器材，安全用电。",
                "发现安全隐患或可疑情况立即报告；发生突发事件时按预案分工处置，保人护款。",
                "保守本行秘密，遵守廉洁从业规定，拒腐防变。",
                "违反本责任书造成案件、事故或损失的，依照本行规定承担相应责任。",
            ]
        ),
        "closing": "本责任书自签订之日起至{year}年12月31日有效。",
    },
}


def ensure_templates() -> None:
    """The shipped wording for each kind that has none yet; a template staff edited stays as it is."""
    for kind, fields in SHIPPED.items():
        LetterTemplate.objects.get_or_create(kind=kind, defaults=fields)


def fill(text: str, **words: object) -> str:
    """`{year}`, `{party_a}`, `{party_b}` filled in; any other brace is left as written."""
    for key, value in words.items():
        text = text.replace("{" + key + "}", str(value))
    return text
