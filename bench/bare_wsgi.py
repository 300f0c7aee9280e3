"""Bench-only WSGI entry point (never deployed): the project's application, plus
`POST /bench/bare-insert`, which inserts one row into `bench_bare` (a table `bench/incident_surge.py`
creates) through Django's own database connection and answers 201 with the row's id.

The same gunicorn workers serve both, so a report's throughput can be compared in one run with the
cheapest write this server can do: a request parsed, one INSERT committed, a JSON answer. Everything
else is the project's application, untouched.

`POST /bench/django-insert` is the same insert as a Django view inside the project's application: its
URL resolver and its whole middleware stack (sessions, CSRF exemption, locale, authentication, axes, the
audit context), what any request to this server pays before its view runs. It is the "bare Django
one-insert endpoint" of the developers' guide.

`GET /bench/django-read?id=N` is its counterpart for reads (bench/drill_poll.py): one row of `bench_bare`
by id, through the same resolver and middleware, answered as JSON (404 without the row). No session
cookie is sent to it, so it pays no session or user look-up: the cheapest read a Django page can be.

`GET /bench/django-page` is the bare page of a signed-in person (bench/situation_board.py): the product's
layout (base.html) with nothing in it, behind the same middleware with the session and user looked up.

    gunicorn --chdir <repo> bench.bare_wsgi:application
"""

import json

from yingji.wsgi import application as project_application

from django.db import close_old_connections, connection  # isort: skip  (after Django is set up)
from django.http import HttpResponseNotAllowed, JsonResponse  # isort: skip
from django.shortcuts import render  # isort: skip
from django.contrib.auth.decorators import login_not_required  # isort: skip
from django.urls import path  # isort: skip
from django.views.decorators.csrf import csrf_exempt  # isort: skip

from yingji import urls  # isort: skip

BARE_PATH = "/bench/bare-insert"


def _insert(payload: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (key, body, at) VALUES (%s, %s, now()) RETURNING id",
            [str(payload.get("key", ""))[:100], json.dumps(payload, ensure_ascii=False)],
        )
        (row_id,) = cursor.fetchone()
    return row_id


@csrf_exempt
@login_not_required  # like the API, which signs in by token
def django_insert(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "invalid"}, status=400)
    return JsonResponse({"id": _insert(payload)}, status=201)


_READ = "SELECT id, key, body FROM bench_bare WHERE id = %s"


@login_not_required
def django_read(request):
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        row_id = int(request.GET.get("id", "1"))
    except ValueError:
        return JsonResponse({"error": "invalid"}, status=400)
    with connection.cursor() as cursor:
        cursor.execute(_READ, [row_id])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"error": "not_found"}, status=404)
    return JsonResponse({"id": row[0], "key": row[1], "body": row[2]})


def django_page(request):
    """`GET /bench/django-page`: the product's layout (base.html: menu, bell, scripts) for the signed-in
    person and nothing else, through the whole middleware stack with its session and user: the bare
    page a signed-in page is measured against (bench/situation_board.py)."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "base.html", {})


# Bench-only, before the first request builds the resolver; this module is never deployed.
urls.urlpatterns.insert(0, path("bench/django-insert", django_insert))
urls.urlpatterns.insert(0, path("bench/django-read", django_read))
urls.urlpatterns.insert(0, path("bench/django-page", django_page))


def application(environ, start_response):
    if environ.get("PATH_INFO") != BARE_PATH:
        return project_application(environ, start_response)
    if environ.get("REQUEST_METHOD") != "POST":
        start_response("405 Method Not Allowed", [("Content-Type", "application/json"), ("Allow", "POST")])
        return [b'{"error": "method"}']
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b"{}"
    try:
        payload = json.loads(body)
    except ValueError:
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [b'{"error": "invalid"}']
    # What Django does around a request: drop a connection that is broken or past CONN_MAX_AGE.
    close_old_connections()
    answer = json.dumps({"id": _insert(payload)}).encode()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))]
    )
    return [answer]
