"""Blueprint names follow the packages (issue 16): the blueprint of `tracker/<feature>/views.py` is named
`<feature>`, so an endpoint says where its code is. A package's other blueprints (audit log in admin,
invitations in auth, API tokens, report files, the old period-report addresses) live in their own modules with
their own URL prefix and name."""

def test_each_feature_views_module_has_the_blueprint_of_its_package(app):
    main_modules = {bp.import_name: bp.name for bp in app.blueprints.values() if bp.import_name.endswith(".views")}
    assert main_modules, "no feature registered a views module"
    for module, name in main_modules.items():
        package = module.split(".")[1]
        assert name == package, f"{module} registers the blueprint {name!r}, not {package!r}"


def test_every_blueprint_is_defined_inside_tracker(app):
    assert all(bp.import_name.startswith("tracker.") for bp in app.blueprints.values())


def test_period_reports_and_cohort_reports_do_not_share_a_prefix(app):
    prefixes = {bp.name: bp.url_prefix for bp in app.blueprints.values()}
    assert prefixes["periods"] == "/period-reports" and prefixes["reports"] == "/reports"
