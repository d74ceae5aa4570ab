"""Imports every model module so that metadata (and Alembic autogenerate) sees the whole schema."""

from tracker.api import models as api_models  # noqa: F401
from tracker.auth import models as auth_models  # noqa: F401
from tracker.cohorts import models as cohort_models  # noqa: F401
from tracker.core import audit  # noqa: F401
from tracker.indicators import models as indicator_models  # noqa: F401
from tracker.mentoring import models as mentoring_models  # noqa: F401
from tracker.milestones import models as milestone_models  # noqa: F401
from tracker.notifications import models as notification_models  # noqa: F401
from tracker.offline import models as offline_models  # noqa: F401
from tracker.periods import models as period_models  # noqa: F401
from tracker.portfolio import models as portfolio_models  # noqa: F401
from tracker.projects import models as project_models  # noqa: F401
from tracker.trainings import models as training_models  # noqa: F401
