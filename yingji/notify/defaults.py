"""The notification rules a new installation starts with; head-office 应急管理员 edit them afterwards.
Creates only what is missing, so it never overwrites an edited rule."""

# level: (told up to, minutes to acknowledge, report to the regulator)
LEVEL_RULES = {"III": ("sub_branch", 15, False), "II": ("branch", 10, True), "I": ("head_office", 5, True)}
# Kinds whose regulator duty holds whatever their level: runs, robberies, sieges, mass incidents.
REGULATOR_KINDS = [
    "bank_run",
    "violent_attack",
    "armed_hostage_robbery",
    "gas_robbery",
    "explosive_robbery",
    "customer_hostage_withdrawal",
    "customer_robbed",
    "hostage",
    "mass_incident",
    "cit_besieged",
    "cit_armed_robbery",
]
TOLD_POSITIONS = ["emergency_admin"]


def ensure_defaults(apps=None) -> None:
    from django.apps import apps as live_apps

    registry = apps or live_apps
    NotificationRule = registry.get_model("notify", "NotificationRule")
    KindNotificationRule = registry.get_model("notify", "KindNotificationRule")
    Position = registry.get_model("orgs", "Position")
    EventKind = registry.get_model("plans", "EventKind")
    told = list(Position.objects.filter(code__in=TOLD_POSITIONS))
    for level, (reach, minutes, regulator) in LEVEL_RULES.items():
        rule, created = NotificationRule.objects.get_or_create(
            level=level, defaults={"reach": reach, "ack_minutes": minutes, "regulator_report": regulator}
        )
        if created:
            rule.positions.set(told)
    for kind in EventKind.objects.filter(code__in=REGULATOR_KINDS):
        KindNotificationRule.objects.get_or_create(kind=kind, defaults={"regulator_report": True})
