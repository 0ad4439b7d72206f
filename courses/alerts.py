"""Theme alerts: a person follows a theme (not only a module) and hears of each new edition of it in
their region, once per edition however many of its themes they follow. Published editions reach the
followers through the outbox (``publish_edition`` enqueues ``courses.notify_theme_followers``)."""

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import scoping
from accounts.models import User
from accounts.roles import Capability
from core import notify
from core.errors import Forbidden, ServiceError
from core.urls import absolute_url
from courses import access
from courses.models import Edition, EditionStatus, Theme, ThemeAlert, ThemeAlertSent


def followed(user: User) -> set[str]:
    return set(ThemeAlert.objects.filter(user=user).values_list("theme", flat=True))


@transaction.atomic
def set_followed(user: User, themes: list[str]) -> set[str]:
    """Follow exactly these themes (a checkbox list): the others are unfollowed."""
    if not scoping.can(user, Capability.BROWSE_CATALOGUE):
        raise Forbidden(_("You do not see the catalogue."), code="no_catalogue")
    wanted = set(themes)
    if any(t not in Theme.values for t in wanted):
        raise ServiceError(_("Choose themes from the list."), code="invalid", field="themes")
    ThemeAlert.objects.filter(user=user).exclude(theme__in=wanted).delete()
    for theme in sorted(wanted - followed(user)):
        ThemeAlert.objects.get_or_create(user=user, theme=theme)
    return wanted


def notify_followers(edition_id: int) -> int:
    """Mail every follower of one of the edition's themes who sees it (their region); each once."""
    edition = (
        Edition.objects.select_related("module").filter(pk=edition_id, status=EditionStatus.PUBLISHED).first()
    )
    if edition is None:
        return 0
    module = edition.module
    themes = module.theme_list
    user_ids = sorted(
        set(ThemeAlert.objects.filter(theme__in=themes).values_list("user_id", flat=True))
        - set(ThemeAlertSent.objects.filter(edition=edition).values_list("user_id", flat=True))
    )
    sent = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"):
        if not access.catalogue_modules(user).filter(pk=module.pk).exists():
            continue  # another region
        mine = followed(user) & set(themes)
        with translation.override(user.language):
            labels = ", ".join(str(Theme(t).label) for t in themes if t in mine)
            subject = _("New in %(themes)s: %(title)s") % {"themes": labels, "title": module.title}
            body = render_to_string(
                "courses/email/theme_alert.txt",
                {
                    "user": user,
                    "themes": labels,
                    "title": str(edition),
                    "url": absolute_url(reverse("courses:edition_detail", args=[edition.pk])),
                },
            )
        message = EmailMessage(subject, body, None, [user.email])
        if notify.send_once(ThemeAlertSent, message.send, user=user, edition=edition):
            sent += 1  # else a second delivery of this task got there first
    return sent
