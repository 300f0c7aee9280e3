"""The product speaks Simplified Chinese by default: the zh_Hans catalogue is complete, its compiled .mo
matches the .po, and a page is Chinese unless the person picked English."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _entries(catalogue) -> list[polib._BaseEntry]:
    return [e for e in catalogue if not e.obsolete and e.msgid]


def _translations(catalogue) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) → the translation(s), the same shape for a .po and a .mo."""
    return {
        (e.msgctxt, e.msgid): (
            tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural)) if e.msgid_plural else (e.msgstr,)
        )
        for e in _entries(catalogue)
    }


def test_every_entry_is_translated_and_none_is_fuzzy(po):
    entries = _entries(po)
    assert entries, "the catalogue is empty"
    untranslated = [e.msgid for e in entries if not e.translated()]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"
    assert not po.metadata_is_fuzzy
    assert po.percent_translated() == 100


def test_plural_entries_have_the_one_chinese_form(po):
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    for e in _entries(po):
        if e.msgid_plural:
            assert sorted(e.msgstr_plural) == [0] and e.msgstr_plural[0], e.msgid


def test_translations_keep_the_placeholders(po):
    for e in _entries(po):
        wanted = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        strings = e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]
        for s in strings:
            assert sorted(PLACEHOLDER.findall(s)) == wanted, f"{e.msgid!r} → {s!r}"


def test_compiled_mo_is_up_to_date_with_the_po(po):
    assert MO_PATH.exists(), "run: python manage.py compilemessages -l zh_Hans --ignore .venv"
    mo = polib.mofile(str(MO_PATH))
    assert _translations(mo) == _translations(po), (
        "django.mo is stale: run python manage.py compilemessages -l zh_Hans --ignore .venv"
    )


def test_a_page_is_in_chinese_by_default(client, hexie_manager):
    client.force_login(hexie_manager.user)
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "组织架构" in html and "Organisation" not in html


def test_the_browser_language_does_not_turn_a_page_english(client, hexie_manager):
    client.force_login(hexie_manager.user)
    html = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "组织架构" in html and "Organisation" not in html


def test_the_language_cookie_switches_a_page_to_english(client, hexie_manager):
    client.force_login(hexie_manager.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Organisation" in html and "组织架构" not in html


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_every_string_a_user_reads_is_in_the_catalogue(tmp_path, po):
    """Extract the strings from a copy of the code, as makemessages does, and compare: a string marked
    for translation but missing from the catalogue would reach users in English."""
    root = Path(settings.BASE_DIR)
    shutil.copytree(
        root / "yingji", tmp_path / "yingji", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    shutil.copy(root / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "YINGJI_VAR_DIR": str(tmp_path / "var"), "DATABASE_URL": "sqlite:///:memory:"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--ignore=var", "-v0"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(tmp_path / "yingji" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = sorted({e.msgid for e in _entries(extracted)} - {e.msgid for e in _entries(po)})
    assert missing == [], "run make messages and translate these: " + "; ".join(missing)
