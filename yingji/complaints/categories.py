"""The complaint categories of JR/T 0169-2018 (金融消费者投诉统计分类及编码 银行业): the business the
complaint is about and its cause, as the standard and the regulator's statistics name them."""

# code, name
BUSINESS = [
    ("debit_card", "借记卡"),
    ("credit_card", "信用卡"),
    ("personal_loan", "个人贷款"),
    ("savings", "人民币储蓄"),
    ("payment_settlement", "支付结算"),
    ("agency", "银行代理业务"),
    ("wealth_management", "自营理财"),
    ("foreign_exchange", "外汇业务"),
    ("precious_metals", "贵金属"),
    ("personal_information", "个人金融信息"),
    ("counter_service", "柜面及网点服务"),
    ("ebanking_service", "电子银行"),
    ("business_other", "其他业务"),
]
CAUSE = [
    ("service_attitude", "服务态度及服务质量"),
    ("rules_process", "业务制度及流程"),
    ("marketing", "营销方式和手段"),
    ("disclosure", "信息披露"),
    ("free_choice", "自主选择权"),
    ("pricing_fees", "定价收费"),
    ("product_returns", "产品收益"),
    ("contract_terms", "合同条款"),
    ("fund_loss", "资金损失"),
    ("privacy", "消费者资料与隐私"),
    ("debt_collection", "债务催收方式和手段"),
    ("system_failure", "系统故障"),
    ("cause_other", "其他原因"),
]


def sync_categories(category_model) -> int:
    """Add the standard's categories that are missing; staff's own are left alone. Safe to run twice."""
    added = 0
    for axis, rows in (("business", BUSINESS), ("cause", CAUSE)):
        for order, (code, name) in enumerate(rows):
            _, created = category_model.objects.get_or_create(
                code=code,
                defaults={"axis": axis, "name": name, "is_standard": True, "sort_order": order * 10},
            )
            added += created
    return added
