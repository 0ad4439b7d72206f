"""Template helpers of the approval flow: where a sign-up stands, and whether the viewer stands in for
an absent approver (so their own pages lead them to the approvals)."""

from django import template

from accounts.http import Viewer
from accounts.models import User
from courses import approval
from courses.models import Enrolment

register = template.Library()


@register.filter
def approval_trail(enrolment: Enrolment) -> list[approval.Step]:
    return approval.trail(enrolment)


@register.simple_tag
def awaiting_my_approval(user: Viewer) -> int:
    """How many sign-ups await this person's decision (a query; used on the teacher's own page). Nobody's
    await someone signed out."""
    if not isinstance(user, User):
        return 0
    return approval.awaiting(user).count()
