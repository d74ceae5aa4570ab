"""An erased member's record cannot be edited back to life through the team form."""

from tests.privacy.test_views import BASE, _member
from tracker.extensions import db
from tracker.projects.models import Member


def test_erased_member_cannot_be_edited(actors, login_as):
    member = _member(actors.project)
    admin = login_as("admin")
    response = admin.post(f"{BASE}/members/{member.id}/erase",
                          data={"reason": "Demande écrite du 1er juin", "confirmation": f"#{member.id}"})
    assert response.status_code == 302
    url = f"/projects/{actors.project.id}/members/{member.id}/edit"
    staff = login_as("staff")
    assert staff.get(url).status_code == 302
    response = staff.post(url, data={"full_name": "Nom revenu", "phone": "+212661234567", "version": 99},
                          follow_redirects=True)
    assert "ne peut plus être modifiée" in response.get_data(as_text=True)
    db.session.expire_all()
    member = db.session.get(Member, member.id)
    assert member.full_name == f"Membre effacé #{member.id}" and member.phone is None
