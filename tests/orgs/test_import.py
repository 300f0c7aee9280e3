from html.parser import HTMLParser
from io import BytesIO

import openpyxl
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from yingji.audit.models import AuditEntry
from yingji.core.testing import footprint, run_jobs
from yingji.orgs import imports, services
from yingji.orgs.models import ImportRun, Person, Unit

UNIT_HEADERS = ["代码", "名称", "类型", "上级代码", "地址", "电话"]
PEOPLE_HEADERS = ["用户名", "姓名", "手机号", "所属单位代码", "岗位", "邮箱"]
HEADERS = {"units": UNIT_HEADERS, "people": PEOPLE_HEADERS}


@pytest.fixture(autouse=True)
def english(client):
    """Pages in English, so the reasons read as their msgids whatever the Chinese catalogue says."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


def workbook(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    for row in [headers, *rows]:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, kind, rows=None, *, content=None, name=None):
    content = workbook(HEADERS[kind], rows) if content is None else content
    file = SimpleUploadedFile(name or f"{kind}.xlsx", content)
    return client.post(reverse("orgs:import"), {"kind": kind, "file": file}, follow=True)


class _ErrorTable(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.inside, self.cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("id", "import-errors") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def reported(page) -> list[tuple[str, str, str]]:
    """The problems the page lists, as (row, column, reason)."""
    table = _ErrorTable()
    table.feed(page.content.decode())
    return [tuple(cells) for cells in table.rows if cells]


def test_units_file_with_bad_rows_imports_nothing_and_lists_every_problem(client, hq_duty):
    client.force_login(hq_duty.user)
    before, entries = footprint(), AuditEntry.objects.count()
    page = upload(
        client,
        "units",
        [
            ["JN0103", "和谐花园网点", "营业网点", "JN01", "江城市江南区和谐花园2号", "027-86661004"],
            ["JN0104", "无主网点", "营业网点", "NOSUCH", "", ""],
            ["JN0101", "重名网点", "营业网点", "JN01", "", ""],
            ["JN0105", "坏电话网点", "营业网点", "JN01", "", "12345"],
            ["JN0103", "又一个网点", "营业网点", "JN01", "", ""],
        ],
    )
    assert footprint() == before and AuditEntry.objects.count() == entries
    assert "4 problems found" in page.content.decode()
    assert reported(page) == [
        (
            "3",
            "上级代码",
            "Unknown parent code “NOSUCH”: it must be a unit you manage or a unit in an earlier row.",
        ),
        ("4", "代码", "A unit with the code “JN0101” already exists."),
        ("5", "电话", "“12345” is not a phone number (e.g. 0571-88888888, 13800000000, 95588)."),
        ("6", "代码", "“JN0103” is already in row 2."),
    ]


def test_a_missing_value_a_bad_type_and_a_type_that_cannot_sit_there_are_each_reported(client, hq_duty):
    client.force_login(hq_duty.user)
    before = footprint()
    page = upload(
        client,
        "units",
        [
            ["JN0103", "", "营业网点", "JN01", "", ""],
            ["JN0104", "和谐网点", "网店", "JN01", "", ""],
            ["JN0105", "和谐网点", "支行", "JN01", "", ""],
        ],
    )
    assert footprint() == before
    assert reported(page) == [
        ("2", "名称", "A value is required."),
        ("3", "类型", "“网店” is not a unit type; use one of 总行、分行、支行、营业网点、客服中心、部门."),
        ("4", "上级代码", "A Sub-branch cannot be placed under a Sub-branch."),
    ]


def test_people_file_with_an_unknown_position_and_a_bad_mobile_imports_nothing(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    page = upload(
        client,
        "people",
        [
            ["li_si", "李四", "13800000001", "JN0101", "柜员", ""],
            ["wang_wu", "王五", "1380000", "JN0101", "柜员", ""],
            ["zhao_liu", "赵六", "13800000002", "JN0101", "柜员、飞行员", ""],
        ],
    )
    assert footprint() == before
    assert reported(page) == [
        ("3", "手机号", "“1380000” is not a mobile number (11 digits starting with 1)."),
        ("4", "岗位", "Unknown position: 飞行员; the sheet 说明 lists them all."),
    ]


def test_usernames_clash_whatever_their_case(client, hq_duty):
    client.force_login(hq_duty.user)
    page = upload(
        client,
        "people",
        [
            ["HEXIE_LOBBY", "王二", "13800000001", "JN0101", "柜员", ""],
            ["new_guy", "新人", "13800000002", "JN0101", "柜员", ""],
            ["New_Guy", "新人二", "13800000003", "JN0101", "柜员", ""],
        ],
    )
    assert reported(page) == [
        ("2", "用户名", "The username “HEXIE_LOBBY” is taken."),
        ("4", "用户名", "“New_Guy” is already in row 3."),
    ]
    assert not Person.objects.filter(name__startswith="新人").exists()


def test_good_units_file_imports_every_unit_with_its_audit_entries(client, hq_duty):
    client.force_login(hq_duty.user)
    page = upload(
        client,
        "units",
        [
            ["JN03", "江滨支行", "支行", "JN", "江城市江南区江滨路1号", "027-86663000"],
            ["JN0301", "江滨营业部", "营业网点", "JN03", "江城市江南区江滨路1号", "027-86663001"],
            ["JN03-BGS", "江滨支行办公室", "部门", "JN03", "", ""],
        ],
    )
    assert "3 units imported from units.xlsx." in page.content.decode()
    assert Unit.objects.get(code="JN0301").parent_unit.code == "JN03"
    new = Unit.objects.filter(code__in=["JN03", "JN0301", "JN03-BGS"])
    created = AuditEntry.objects.filter(action="unit.create", object_id__in=[str(u.pk) for u in new])
    assert created.count() == 3
    entry = AuditEntry.objects.get(action="orgs.import_units")
    assert entry.data == {"file": "units.xlsx", "rows": 3, "created": 3}
    tree = client.get(reverse("orgs:tree")).content.decode()
    assert all(name in tree for name in ["江滨支行", "江滨营业部", "江滨支行办公室"])


def test_good_people_file_imports_everyone_without_a_usable_password(client, branch_duty):
    client.force_login(branch_duty.user)
    page = upload(
        client,
        "people",
        [
            ["li_si", "李四", "13800000001", "JN0101", "柜员、大堂经理", "lisi@example.invalid"],
            ["wang_wu", "王五", 13800000002, "JN02", "行长, 行领导", ""],
        ],
    )
    text = page.content.decode()
    assert "2 people imported from people.xlsx." in text
    assert "an administrator sets each person’s password" in text
    li, wang = Person.objects.get(user__username="li_si"), Person.objects.get(user__username="wang_wu")
    assert sorted(p.code for p in li.positions.all()) == ["lobby_manager", "teller"]
    assert (wang.unit.code, wang.mobile) == ("JN02", "13800000002")
    assert not li.user.has_usable_password() and not wang.user.has_usable_password()
    assert AuditEntry.objects.filter(action="person.create", object_id__in=[li.pk, wang.pk]).count() == 2
    assert AuditEntry.objects.filter(action="orgs.import_people").count() == 1


def test_branch_admin_cannot_put_a_unit_under_another_branch(client, branch_duty):
    client.force_login(branch_duty.user)
    before = footprint()
    page = upload(
        client,
        "units",
        [["JB03", "城东支行", "支行", "JB", "", ""], ["JN03", "江滨支行", "支行", "NOPE", "", ""]],
    )
    assert footprint() == before
    (row, column, hidden), (_, _, unknown) = reported(page)
    assert (row, column) == ("2", "上级代码")
    assert hidden == unknown.replace("NOPE", "JB")  # no hint that JB exists


def test_lobby_manager_is_refused_the_import_pages(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    before = footprint()
    assert client.get(reverse("orgs:import")).status_code == 403
    assert client.get(reverse("orgs:import_template", kwargs={"kind": "units"})).status_code == 403
    page = upload(client, "units", [["JN0103", "和谐新村网点", "营业网点", "JN01", "", ""]])
    assert page.status_code == 403
    assert footprint() == before


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"name,code\n", "The file is not an Excel workbook (.xlsx) or cannot be read."),
        (workbook([], []), "The file is empty."),
        (workbook(UNIT_HEADERS, []), "The file has no rows to import below the headers."),
        (
            workbook(UNIT_HEADERS, [[f"U{i}", "网点", "营业网点", "JN01"] for i in range(5001)]),
            "more than 5000 rows",
        ),
        (b"x" * (5 * 2**20 + 1), "The file is larger than 5 MB."),
        (
            workbook(PEOPLE_HEADERS, [["a"]]),
            "The first row must hold the headers 代码、名称、类型、上级代码、地址、电话",
        ),
    ],
    ids=["not-xlsx", "empty", "headers-only", "too-many-rows", "too-large", "wrong-headers"],
)
def test_a_file_that_cannot_be_imported_says_why(client, hq_duty, settings, content, reason):
    settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_BYTES = 5000, 5 * 2**20  # the limits are the settings'
    client.force_login(hq_duty.user)
    before = footprint()
    page = upload(client, "units", content=content)
    assert footprint() == before
    [(_row, _column, said)] = reported(page)
    assert reason in said


def test_long_file_is_imported_in_the_background_with_a_progress_bar(
    client, hq_duty, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 3
    client.force_login(hq_duty.user)
    codes = [f"JN01{n:02d}" for n in range(3, 8)]
    with django_capture_on_commit_callbacks(execute=True):
        page = upload(client, "units", [[c, f"网点{c}", "营业网点", "JN01", "", ""] for c in codes])
    text = page.content.decode()
    assert "Queued" in text and "<progress" in text and 'hx-trigger="every 2s"' in text
    assert not Unit.objects.filter(code__in=codes).exists()
    run = ImportRun.objects.get()
    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert partial.startswith('<div id="import-run"') and "0 / 5" in partial

    assert run_jobs() == 1

    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "5 units imported from units.xlsx." in partial and "hx-trigger" not in partial
    assert Unit.objects.filter(code__in=codes).count() == 5
    run.refresh_from_db()
    assert (run.status, run.processed, run.created_count, bytes(run.content)) == ("done", 5, 5, b"")
    assert AuditEntry.objects.filter(action="orgs.import_units", object_id=str(run.pk)).count() == 1


def test_long_file_with_a_bad_row_lists_the_problem_once_checked(
    client, hq_duty, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD_ROWS = 3
    client.force_login(hq_duty.user)
    units, entries = Unit.objects.count(), AuditEntry.objects.count()
    rows = [[f"JN01{n:02d}", "网点", "营业网点", "JN01", "", ""] for n in range(3, 7)]
    rows[2][5] = "12345"
    with django_capture_on_commit_callbacks(execute=True):
        page = upload(client, "units", rows)
    run_jobs()
    page = client.get(page.request["PATH_INFO"])
    assert reported(page) == [
        ("4", "电话", "“12345” is not a phone number (e.g. 0571-88888888, 13800000000, 95588).")
    ]
    assert (Unit.objects.count(), AuditEntry.objects.count()) == (units, entries)
    assert ImportRun.objects.get().status == "failed"


@pytest.mark.parametrize(
    ("kind", "row"),
    [
        ("units", ["JN0103", "和谐新村网点", "营业网点", "JN01", "", "027-86661003"]),
        ("people", ["li_si", "李四", "13800000001", "JN0101", "柜员", ""]),
    ],
)
def test_downloaded_template_imports_once_its_example_row_is_replaced(client, hq_duty, kind, row):
    client.force_login(hq_duty.user)
    response = client.get(reverse("orgs:import_template", kwargs={"kind": kind}))
    book = openpyxl.load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS[kind] and all(c.font.b for c in sheet[1])
    notes = " ".join(str(c.value) for line in book["说明"].iter_rows() for c in line if c.value)
    assert all(
        word in notes for word in (["营业网点", "客服中心"] if kind == "units" else ["大堂经理", "客服代表"])
    )

    assert reported(upload(client, kind, content=_saved(book))) == [
        ("2", "—", "This is the template’s example row; delete it.")
    ]
    sheet.delete_rows(2)
    sheet.append(row)
    page = upload(client, kind, content=_saved(book))
    assert "1 unit imported" in page.content.decode() or "1 person imported" in page.content.decode()


def _saved(book) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_unit_taken_between_check_and_write_rolls_the_whole_import_back(hq_duty, admin_user):
    content = workbook(
        UNIT_HEADERS,
        [["JN03", "江滨支行", "支行", "JN", "", ""], ["JN0301", "江滨营业部", "营业网点", "JN03", "", ""]],
    )
    sheet, _ = imports.read_workbook("units", content)
    plan, errors = imports.check(actor=hq_duty.user, sheet=sheet)
    assert errors == []
    services.create_unit(
        actor=admin_user, parent=Unit.objects.get(code="JN01"), code="JN0301", name="抢先", type="outlet"
    )
    entries = AuditEntry.objects.count()

    result = imports.commit(actor=hq_duty.user, kind="units", plan=plan, file_name="units.xlsx")

    assert [(e.row, e.column) for e in result.errors] == [(3, "代码")]
    assert not Unit.objects.filter(code="JN03").exists() and AuditEntry.objects.count() == entries
    assert not ImportRun.objects.exists()


def test_another_admin_cannot_open_my_import(client, hq_duty, branch_duty):
    client.force_login(hq_duty.user)
    page = upload(client, "units", [["JN0103", "和谐新村网点", "营业网点", "JN01", "", ""]])
    client.force_login(branch_duty.user)
    assert client.get(page.request["PATH_INFO"]).status_code == 404
