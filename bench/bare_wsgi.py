"""Bench-only WSGI entry point (never deployed): the project's application, plus
`POST /bench/bare-insert`, which inserts one row into `bench_bare` (a table `bench/incident_surge.py`
creates) through Django's own database connection and answers 201 with the row's id.

The same gunicorn workers serve both, so a report's throughput can be compared in one run with the
cheapest write this server can do: a request parsed, one INSERT committed, a JSON answer. Everything
else is the project's application, untouched.

    gunicorn --chdir <repo> bench.bare_wsgi:application
"""

import json

from yingji.wsgi import application as project_application

from django.db import close_old_connections, connection  # isort: skip  (after Django is set up)

BARE_PATH = "/bench/bare-insert"


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
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (key, body, at) VALUES (%s, %s, now()) RETURNING id",
            [str(payload.get("key", ""))[:100], json.dumps(payload, ensure_ascii=False)],
        )
        (row_id,) = cursor.fetchone()
    answer = json.dumps({"id": row_id}).encode()
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))]
    )
    return [answer]
