"""The audit log never fails on its filter: an absurd period is answered with a message on the field."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("field", "typed"), [("until", "9999-12-31"), ("since", "0001-01-01")])
def test_head_office_asks_for_an_absurd_period_and_is_told_which_dates_work(client, hq_duty, field, typed):
    client.force_login(hq_duty.user)
    page = client.get("/audit/", {field: typed})
    assert page.status_code == 200
    assert page.context["form"].errors[field] == ["请输入 1900-01-01 至 2999-12-31 之间的日期。"]
    assert (
        '<div class="invalid-feedback">请输入 1900-01-01 至 2999-12-31 之间的日期。</div>'
        in page.content.decode()
    )
