"""A first visit (issue 19): French unless the browser asks first for Arabic or English; the login page says
what Mowakaba is in one line; the language switch is one tap away."""

import pytest


@pytest.mark.parametrize(("header", "lang"), [
    (None, "fr"),
    ("ar-MA,ar;q=0.9,fr;q=0.8", "ar"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE,de;q=0.9,en;q=0.8", "fr"),  # English is only a second choice: French
    ("es,ar;q=0.9", "fr"),
    ("fr-FR,en;q=0.5", "fr"),
])
def test_visitors_get_french_unless_their_browser_asks_first_for_another_language(client, header, lang):
    headers = {"Accept-Language": header} if header else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}"' in page


def test_the_login_page_says_what_mowakaba_is_and_offers_the_languages(client):
    page = client.get("/login").get_data(as_text=True).replace("&#39;", "'")
    assert "Mowakaba suit l'accompagnement des projets après le forum" in page
    for code in ("fr", "ar", "en"):
        assert f'name="locale" value="{code}"' in page
