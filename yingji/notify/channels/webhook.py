"""Group robots of 企业微信 (WeCom) and 钉钉 (DingTalk), in their documented markdown message formats.
A robot gets one post per unit and round, not one per person.

Neither robot's webhook takes a message id it would deduplicate on: a copy sent again after its worker
died (outcome unknown) can show twice in the group. The delivery key closes the message, so the group
sees that the two are the same message, and travels in the request's X-Yingji-Delivery-Key header."""

import json
import urllib.error
import urllib.request

from .base import Channel, DeliveryFailed

TIMEOUT_SECONDS = 5


def markdown(notice, key: str = "") -> str:
    text = (
        f"### 【应急】{notice.title}\n{notice.body}\n\n"
        f"> {notice.unit.name} · 请相关人员登录系统确认：{notice.url}"
    )
    return f"{text}\n> 消息编号 {key}" if key else text


def payload(kind: str, notice, key: str = "") -> dict:
    if kind == "wecom":
        # https://developer.work.weixin.qq.com/document/path/91770 (markdown message)
        return {"msgtype": "markdown", "markdown": {"content": markdown(notice, key)}}
    # https://open.dingtalk.com/document/robots/custom-robot-access (markdown message)
    return {
        "msgtype": "markdown",
        "markdown": {"title": f"【应急】{notice.title}", "text": markdown(notice, key)},
    }


def post_json(url: str, body: dict, *, key: str = "") -> dict:
    headers = {"Content-Type": "application/json"}
    if key:
        headers["X-Yingji-Delivery-Key"] = key
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryFailed(str(exc)) from exc


class WebhookChannel(Channel):
    name = "webhook"

    def address(self, notice):
        return None  # not per person: see services.plan_deliveries

    def send(self, delivery):
        from yingji.notify.models import Webhook

        webhook = Webhook.objects.get(pk=int(delivery.channel.split(":", 1)[1]))
        key = delivery.key
        answer = post_json(webhook.url, payload(webhook.kind, delivery.notice, key), key=key)
        # Both robots answer {"errcode": 0, "errmsg": "ok"} when they took the message.
        if answer.get("errcode", 0) != 0:
            raise DeliveryFailed(f"{webhook.kind} robot refused: {answer}")
