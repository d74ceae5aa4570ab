"""Two projects of one cohort, each with its holder and its mentor, and two managers."""

import datetime as dt

import pytest

from tests.factories import UserFactory
from tracker.extensions import db


class World:
    def __init__(self, actors):
        self.a = actors
        self.holder = actors.holder  # linked to actors.project
        self.holder2 = UserFactory(role="holder", projects=[actors.other_project], locale="ar")
        self.mentor = actors.staff
        self.mentor2 = UserFactory(role="staff")
        actors.project.staff = [self.mentor]
        actors.other_project.staff = [self.mentor2]
        self.manager2 = UserFactory(role="manager")
        UserFactory(role="manager", active=False)  # a deactivated manager is told nothing
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
        actors.project.created_at = actors.other_project.created_at = long_ago
        db.session.flush()

    @property
    def everyone(self):
        a = self.a
        return [a.admin, a.manager, self.manager2, self.mentor, self.mentor2, self.holder, self.holder2]


@pytest.fixture
def world(actors):
    return World(actors)
