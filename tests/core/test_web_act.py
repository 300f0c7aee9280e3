"""A button's action on a page: what the person is told when the service refuses."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from yingji.core.errors import InvalidInput, NotAllowed
from yingji.core.web import act


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def said(request) -> list[str]:
    return [str(m) for m in get_messages(request)]


def test_a_refusal_that_names_its_field_with_the_same_words_is_said_once():
    def refuse():
        raise InvalidInput("理由不能为空。", fields={"reason": "理由不能为空。"})

    request = _request()
    assert act(request, refuse) is False
    assert said(request) == ["理由不能为空。"]


def test_each_field_problem_other_than_the_message_is_said_after_it():
    def refuse():
        raise InvalidInput(
            "有字段不正确。", fields={"a": "时间不能早于开始。", "b": "时间不能早于开始。", "c": ""}
        )

    request = _request()
    assert act(request, refuse) is False
    assert said(request) == ["有字段不正确。", "时间不能早于开始。"]


def test_a_done_action_says_nothing_and_a_refusal_of_role_is_left_to_the_403():
    request = _request()
    assert act(request, lambda **kw: None, x=1) is True
    assert said(request) == []

    def forbid():
        raise NotAllowed("无权操作。")

    with pytest.raises(NotAllowed):
        act(request, forbid)
