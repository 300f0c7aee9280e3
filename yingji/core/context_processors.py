"""What the layout (base.html) needs on every page, from the request alone: no database query."""

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# The menu's entries by URL name; a page belongs to the entry whose address is the longest prefix of
# its own (an incident's room is under 事件, the report form under 报告 even though it is below 事件 too).
MENU = (
    "incidents:report",
    "incidents:list",
    "reports:dashboards",
    "complaints:list",
    "corrective:list",
    "drills:list",
    "security:list",
    "monitoring:list",
    "plans:library",
    "orgs:tree",
    "audit:log",
    "notify:rules",
    "notify:inbox",
    "jobs",
    "calendar",
)


def menu(request: HttpRequest) -> dict[str, str]:
    """`menu_active`: the URL name of the menu entry the page is under ("" for none), which base.html
    marks with .active and aria-current="page", so a person on a phone sees where they are."""
    best, best_length = "", 0
    for name in MENU:
        try:
            prefix = reverse(name)
        except NoReverseMatch:  # an app left out of this deployment's URLs
            continue
        if request.path.startswith(prefix) and len(prefix) > best_length:
            best, best_length = name, len(prefix)
    return {"menu_active": best}
