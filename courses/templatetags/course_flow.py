"""Template helpers of the approval flow: where a sign-up stands, and whether the viewer stands in for
an absent approver (so their own pages lead them to the approvals)."""

from django import template

from courses import approval
from courses.models import Enrolment

register = template.Library()


@register.filter
def approval_trail(enrolment: Enrolment) -> list[approval.Step]:
    return approval.trail(enrolment)


@register.simple_tag
def awaiting_my_approval(user: object) -> int:
    """How many sign-ups await this person's decision (a query; used on the teacher's own page)."""
    return approval.awaiting(user).count()  # type: ignore[arg-type]
