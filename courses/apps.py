from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Professional development")

    def ready(self) -> None:
        from accounts.roles import Capability
        from core import dashboard, navigation
        from courses import flow_tasks, panels, tasks  # noqa: F401  (registers the tasks in web processes too)

        navigation.register(_("Courses"), "courses:catalogue", Capability.BROWSE_CATALOGUE, order=10)
        navigation.register(_("My courses"), "courses:my_courses", Capability.ENROL, order=11)
        navigation.register(_("Organise courses"), "courses:organise", Capability.ORGANISE_COURSES, order=12)
        navigation.register(
            _("Team enrolments"), "courses:school_enrolments", Capability.RESERVE_SEATS, order=13
        )
        dashboard.register("courses/panels/upcoming.html", panels.upcoming, Capability.ENROL, order=20)
        dashboard.register(
            "courses/panels/filling_up.html", panels.filling_up, Capability.ORGANISE_COURSES, order=21
        )
