"""The API's answers, as marshmallow schemas: the views serialise with them and the OpenAPI document
(tracker/api/openapi.py) is generated from them, so the two cannot drift apart. Dates are ISO 8601,
decimals strings (as in §12). No schema has a field for staff-only notes or for free text written by staff."""

from marshmallow import Schema, fields


class DecimalString(fields.Decimal):
    """An exact decimal written as a string ("12.50"), as in §12; documented as a string (openapi.py)."""

    def __init__(self, **kwargs):
        super().__init__(as_string=True, **kwargs)


class CohortSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    programme = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    forum_date = fields.Date(allow_none=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    reporting_frequency = fields.String(required=True)


class MemberSchema(Schema):
    """Only with the `people:read` scope, and only on projects the token's owner may see."""

    id = fields.Integer(required=True)
    full_name = fields.String(required=True)
    sex = fields.String(allow_none=True)
    birth_date = fields.Date(allow_none=True)
    role = fields.String(required=True)
    is_lead = fields.Boolean(required=True)
    ownership_pct = DecimalString(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class TeamSchema(Schema):
    size = fields.Integer(required=True)
    women = fields.Integer(required=True)
    men = fields.Integer(required=True)


class ProjectSchema(Schema):
    id = fields.Integer(required=True)
    cohort_id = fields.Integer(required=True)
    cohort_slug = fields.String(required=True)
    code = fields.String(allow_none=True)
    name = fields.String(required=True)
    sector = fields.String(required=True)
    sub_sector = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    legal_form = fields.String(allow_none=True)
    province = fields.String(allow_none=True)
    commune = fields.String(allow_none=True)
    status = fields.String(required=True)
    status_date = fields.Date(allow_none=True)
    women_led = fields.Boolean(required=True)
    youth_led = fields.Boolean(required=True)
    team = fields.Nested(TeamSchema, required=True)
    members = fields.List(fields.Nested(MemberSchema), metadata={"description": "Only with people:read."})


class IndicatorSchema(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name_fr = fields.String(required=True)
    name_ar = fields.String(required=True)
    name_en = fields.String(required=True)
    unit = fields.String(required=True)
    kind = fields.String(required=True)
    disaggregated = fields.Boolean(required=True)
    active = fields.Boolean(required=True)
    iris_ref = fields.String(allow_none=True)


class TargetSchema(Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    indicator_id = fields.Integer(required=True)
    indicator_code = fields.String(required=True)
    baseline_value = DecimalString(allow_none=True)
    baseline_date = fields.Date(allow_none=True)
    target_value = DecimalString(allow_none=True)
    target_date = fields.Date(allow_none=True)


class ValueSchema(Schema):
    indicator_code = fields.String(required=True)
    cell = fields.String(required=True)
    value = DecimalString(required=True)


class PeriodReportSchema(Schema):
    id = fields.Integer(required=True)
    project_id = fields.Integer(required=True)
    period_label = fields.String(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    status = fields.String(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    reviewed_at = fields.DateTime(allow_none=True)
    approved_values = fields.List(fields.Nested(ValueSchema), required=True,
                                  metadata={"description": "Empty unless the report is approved."})


class CohortReportSchema(Schema):
    """The §12 JSON of `flask report cohort --format json`, byte for byte (DESIGN §12 describes each key)."""

    filters = fields.Dict(required=True)
    portfolio = fields.Raw(required=True)
    people = fields.Raw(required=True)
    trainings = fields.Raw(required=True)
    mentoring = fields.Raw(required=True)
    milestones = fields.Raw(required=True)
    indicators = fields.Raw(required=True)
    completeness = fields.Raw(required=True)
    trends = fields.Raw(required=True)


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
