from django.contrib import admin

from courses.models import (
    Attendance,
    Certificate,
    Cohort,
    Edition,
    Enrolment,
    Evaluation,
    Interest,
    Meeting,
    Module,
    Participant,
    SeatReservation,
    Trajectory,
    TrajectoryStep,
)


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0
    readonly_fields = ["checkin_code"]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "format", "themes", "pd_hours", "organiser", "visible_in"]
    list_filter = ["format"]
    search_fields = ["title", "summary"]


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    """Status and seats change through the services (locks, messages); the admin shows them read-only."""

    list_display = ["__str__", "status", "capacity", "starts_at", "enrol_closes_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "starts_at", "ends_at"]
    inlines = [MeetingInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["teacher", "edition", "status", "queued_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Enrolment._meta.fields]
    search_fields = ["teacher__email"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ["code", "teacher", "title", "hours", "completed_on"]
    search_fields = ["code", "teacher__email"]


class StepInline(admin.TabularInline):
    model = TrajectoryStep
    extra = 0


@admin.register(Trajectory)
class TrajectoryAdmin(admin.ModelAdmin):
    list_display = ["title", "organiser", "years"]
    inlines = [StepInline]


admin.site.register([SeatReservation, Interest, Attendance, Evaluation, Cohort, Participant])


# Issue 15's tables: the approval trail and the waitlist log are append-only, so read-only here too.
from accounts.admin import AppendOnlyAdmin  # noqa: E402
from courses.models import ApprovalDecision, ApproverAbsence, EditionSeries, WaitlistMove  # noqa: E402


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(AppendOnlyAdmin):
    list_display = ["enrolment", "stage", "decision", "decided_by", "on_behalf_of", "decided_at"]


@admin.register(WaitlistMove)
class WaitlistMoveAdmin(AppendOnlyAdmin):
    list_display = [
        "edition",
        "enrolment",
        "action",
        "from_position",
        "to_position",
        "reason",
        "moved_by",
        "at",
    ]


admin.site.register([EditionSeries, ApproverAbsence])
