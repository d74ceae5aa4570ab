"""Every view declares its permission (@require) or is explicitly public (@public)."""

PUBLIC_ALLOWED = {"auth.login", "auth.forgot_password", "auth.set_password", "core.health", "core.set_language",
                  "api.openapi_document", "api.docs", "offline.manifest", "offline.service_worker",
                  "static",
                  # issue 16: the old period-report addresses redirect to the new ones, which do the checks
                  "periods_legacy.list_due", "periods_legacy.edit_report", "periods_legacy.review_queue",
                  "periods_legacy.reassign_reviews", "periods_legacy.review_report", "periods_legacy.reopen_report"}


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
