"""Every view declares its permission (@require) or is explicitly public (@public)."""

PUBLIC_ALLOWED = {"auth.login", "core.health", "core.set_language", "static"}


def test_every_endpoint_declares_its_permission(app):
    missing, unexpected_public = [], []
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        if getattr(view, "public", False):
            if endpoint not in PUBLIC_ALLOWED:
                unexpected_public.append(endpoint)
        elif getattr(view, "required_action", None) is None:
            missing.append(endpoint)
    assert missing == []
    assert unexpected_public == []
