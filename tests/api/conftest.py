"""Helpers of the API tests: a token for any user and scopes, and a client that sends it."""

import pytest

from tracker.api import access_tokens
from tracker.extensions import db

ALL_SCOPES = access_tokens.SCOPES


@pytest.fixture
def token_for():
    """token_for(user, scopes=ALL_SCOPES, days=30) -> the secret (committed, as a real client would use it)."""

    def _make(user, scopes=ALL_SCOPES, days=30):
        secret, _token = access_tokens.create(None, user, name="Tableau de bord", scopes=scopes, days=days)
        db.session.commit()
        return secret

    return _make


@pytest.fixture
def api(client):
    """api(secret, url, **kwargs) -> the response of a GET with that bearer token."""

    def _get(secret, url, headers=None, **kwargs):
        return client.get(url, headers={"Authorization": f"Bearer {secret}", **(headers or {})}, **kwargs)

    return _get
