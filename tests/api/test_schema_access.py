"""The OpenAPI schema and its docs page list every operation of the API: only a signed-in person or a
valid token reads them."""

from io import StringIO

from django.core.management import call_command


def _token(username: str) -> str:
    out = StringIO()
    call_command("issue_token", username, stdout=out)
    return out.getvalue().strip()


def test_an_anonymous_visitor_gets_a_401_in_json_for_the_schema(client, demo):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json() == {
        "error": "unauthorized",
        "message": "需要有效的令牌：Authorization: Bearer <token>。",
        "fields": {},
    }


def test_an_anonymous_visitor_is_sent_to_sign_in_for_the_docs_page(client, demo):
    response = client.get("/api/v1/docs")
    assert response.status_code == 302
    assert response.url.startswith("/login/") and "next=/api/v1/docs" in response.url


def test_a_made_up_token_reads_no_schema(client, demo):
    response = client.get("/api/v1/openapi.json", headers={"Authorization": "Bearer yj_made-up"})
    assert response.status_code == 401


def test_a_client_with_a_token_reads_the_schema(client, hexie_lobby):
    response = client.get(
        "/api/v1/openapi.json", headers={"Authorization": f"Bearer {_token('hexie_lobby')}"}
    )
    assert response.status_code == 200
    assert "/api/v1/incidents" in response.json()["paths"]


def test_a_signed_in_person_reads_the_docs_page(client, hexie_lobby):
    client.force_login(hexie_lobby.user)
    assert client.get("/api/v1/docs").status_code == 200
