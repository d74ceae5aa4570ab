"""Personal access tokens (issue 22): hash only, scopes, expiry, revocation, deactivation, audit, throttle."""

import datetime as dt

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from tests.conftest import login
from tracker.api import access_tokens
from tracker.api.models import ApiToken
from tracker.auth.services import update_user
from tracker.core.audit import AuditEvent
from tracker.core.services import ServiceError
from tracker.extensions import db


def _events(action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def _problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"]
    return body


def test_only_the_hash_and_a_prefix_are_stored(actors):
    secret, token = access_tokens.create(actors.manager, actors.manager, name="Power BI",
                                         scopes=["report:read"], days=30)
    db.session.flush()
    assert secret.startswith(token.prefix + "_") and token.prefix.startswith("mwk_") and len(token.prefix) == 12
    row = db.session.execute(sa.select(ApiToken.__table__).where(ApiToken.id == token.id)).one()._mapping
    assert secret not in {str(v) for v in row.values()}
    assert row["token_hash"] == access_tokens.digest(secret)
    assert access_tokens.get_by_secret(secret) is token
    assert access_tokens.get_by_secret(secret + "x") is None
    created = _events("api_token.create")[-1]
    assert created.entity_id == token.id and secret not in str(created.changes)


@pytest.mark.parametrize("kwargs", [
    {"days": 366}, {"days": 0}, {"scopes": []}, {"scopes": ["report:write"]}, {"name": " "}, {"name": "x" * 81},
])
def test_invalid_tokens_are_refused(actors, kwargs):
    args = {"name": "Outil", "scopes": ["report:read"], "days": 365} | kwargs
    with pytest.raises(ServiceError):
        access_tokens.create(actors.manager, actors.manager, **args)
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0


def test_only_admins_create_or_revoke_for_someone_else(actors):
    with pytest.raises(ServiceError):
        access_tokens.create(actors.manager, actors.staff, name="x", scopes=["projects:read"])
    _secret, token = access_tokens.create(actors.admin, actors.staff, name="x", scopes=["projects:read"])
    assert token.user_id == actors.staff.id and token.created_by_id == actors.admin.id
    with pytest.raises(ServiceError):
        access_tokens.revoke(actors.manager, token)
    assert access_tokens.revoke(actors.admin, token) is True
    assert access_tokens.revoke(actors.admin, token) is False


def test_expired_token_is_refused(actors, token_for, api):
    secret = token_for(actors.manager, days=1)
    assert api(secret, "/api/v1/cohorts").status_code == 200
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=1, minutes=1)):
        body = _problem(api(secret, "/api/v1/cohorts"), 401)
    assert "expiré" in body["detail"]


def test_revoked_token_is_refused(actors, token_for, api):
    secret = token_for(actors.manager)
    access_tokens.revoke(actors.manager, access_tokens.get_by_secret(secret))
    db.session.commit()
    response = api(secret, "/api/v1/cohorts")
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert len(_events("api_token.revoke")) == 1


def test_deactivating_the_account_revokes_its_tokens(actors, token_for, api):
    secret = token_for(actors.staff)
    update_user(actors.admin, actors.staff, version=actors.staff.version, email=actors.staff.email,
                display_name=actors.staff.display_name, role="staff", locale="fr", active=False)
    db.session.commit()
    token = access_tokens.get_by_secret(secret)
    assert token.revoked_at is not None
    assert _events("api_token.revoke")[-1].changes["reason"] == [None, "account_deactivated"]
    _problem(api(secret, "/api/v1/cohorts"), 401)


def test_wrong_scope_gets_403(actors, token_for, api):
    secret = token_for(actors.manager, scopes=["projects:read"])
    body = _problem(api(secret, "/api/v1/report?cohort=" + actors.cohort.slug), 403)
    assert "report:read" in body["detail"]
    assert api(secret, "/api/v1/projects").status_code == 200


@pytest.mark.parametrize("header", [None, "Basic abc", "Bearer ", "Bearer mwk_00000000_nope", "Token abc"])
def test_missing_or_unknown_token_gets_401(client, header):
    headers = {"Authorization": header} if header else {}
    _problem(client.get("/api/v1/projects", headers=headers), 401)


@pytest.mark.parametrize("query", ["access_token={}", "token={}", "x={}"])
def test_a_token_in_the_query_string_is_refused(actors, token_for, client, query):
    secret = token_for(actors.manager)
    response = client.get("/api/v1/projects?" + query.format(secret))
    body = _problem(response, 400)
    assert "Authorization" in body["detail"]
    # even alongside a valid header
    response = client.get("/api/v1/projects?" + query.format(secret), headers={"Authorization": f"Bearer {secret}"})
    _problem(response, 400)


def test_a_session_cookie_alone_is_refused(app, actors):
    client = login(app.test_client(), actors.admin)
    assert client.get("/projects/").status_code == 200
    response = client.get("/api/v1/projects")
    _problem(response, 401)
    assert "Set-Cookie" not in response.headers


def test_use_is_audited_once_per_token_per_day(actors, token_for, api):
    secret = token_for(actors.manager)
    for _ in range(3):
        assert api(secret, "/api/v1/cohorts").status_code == 200
    assert len(_events("api_token.use")) == 1
    token = access_tokens.get_by_secret(secret)
    assert token.last_used_on == dt.datetime.now(dt.UTC).date()
    with freeze_time(dt.datetime.now(dt.UTC) + dt.timedelta(days=1)):
        api(secret, "/api/v1/cohorts")
        api(secret, "/api/v1/projects")
    uses = _events("api_token.use")
    assert len(uses) == 2 and {u.entity_id for u in uses} == {token.id}
    assert all(u.user_id == actors.manager.id for u in uses)


def test_throttled_per_token(app, actors, token_for, api, monkeypatch):
    monkeypatch.setitem(app.config, "API_LIMIT_PER_TOKEN", "3 per minute")
    first, second = token_for(actors.manager), token_for(actors.manager)
    for _ in range(3):
        assert api(first, "/api/v1/cohorts").status_code == 200
    response = api(first, "/api/v1/cohorts")
    _problem(response, 429)
    assert int(response.headers["Retry-After"]) >= 1
    assert api(second, "/api/v1/cohorts").status_code == 200  # another token has its own budget


def test_cli_creates_and_revokes(runner, actors, api):
    result = runner.invoke(args=["api", "token", "create", "--email", actors.manager.email, "--scope", "report:read",
                                 "--scope", "projects:read", "--days", "10"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[-1]
    token = access_tokens.get_by_secret(secret)
    assert token.scope_list == ["projects:read", "report:read"]
    assert (token.expires_at - token.created_at).days == 10
    assert api(secret, "/api/v1/cohorts").status_code == 200
    assert runner.invoke(args=["api", "token", "create", "--email", actors.manager.email, "--scope",
                               "report:read", "--days", "400"]).exit_code == 1
    assert runner.invoke(args=["api", "token", "create", "--email", "nobody@example.org", "--scope",
                               "report:read"]).exit_code == 1
    result = runner.invoke(args=["api", "token", "revoke", str(token.id)])
    assert result.exit_code == 0, result.output
    assert api(secret, "/api/v1/cohorts").status_code == 401
    assert runner.invoke(args=["api", "token", "revoke", str(token.id)]).exit_code == 1
    assert runner.invoke(args=["api", "token", "revoke", "999999"]).exit_code == 1


def test_account_page_creates_shows_once_and_revokes(login_as, actors, api):
    client = login_as("staff")
    response = client.post("/account/tokens/", data={"name": "Mon Excel", "scopes": ["projects:read"], "days": "30"})
    assert response.status_code == 200
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == actors.staff.id))
    page = response.get_data(as_text=True)
    secret = page.split('id="new-token">')[1].split("<")[0]
    assert secret.startswith(token.prefix) and access_tokens.get_by_secret(secret) is token
    listing = client.get("/account/tokens/").get_data(as_text=True)
    assert token.prefix in listing and secret not in listing
    assert api(secret, "/api/v1/projects").status_code == 200
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert api(secret, "/api/v1/projects").status_code == 401


def test_account_page_refuses_other_accounts_unless_admin(login_as, actors, token_for):
    secret = token_for(actors.staff)
    token = access_tokens.get_by_secret(secret)
    assert login_as("manager").post(f"/account/tokens/{token.id}/revoke").status_code == 404
    assert token.revoked_at is None
    client = login_as("manager")
    client.post("/account/tokens/", data={"name": "x", "scopes": ["projects:read"], "days": "30",
                                          "email": actors.staff.email})
    assert len(access_tokens.tokens_of(actors.staff)) == 1  # refused: managers create only their own
    admin = login_as("admin")
    admin.post("/account/tokens/", data={"name": "Pour le bailleur", "scopes": ["report:read"], "days": "365",
                                         "email": actors.manager.email})
    assert [t.name for t in access_tokens.tokens_of(actors.manager)] == ["Pour le bailleur"]
    assert admin.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert token.revoked_at is not None
