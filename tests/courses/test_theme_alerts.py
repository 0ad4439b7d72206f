"""Theme alerts: a teacher follows a theme and hears of each new edition in their region once."""

from django.core import mail

from accounts.roles import Role
from courses import alerts, services
from courses.flow_tasks import notify_theme_followers
from courses.models import EditionStatus, Theme, ThemeAlertSent
from tests.courses.factories import make_edition, make_module, make_teacher
from tests.factories import make_membership


def test_it_tells_followers_in_the_region_of_a_new_edition_once(
    tree, organiser_a, django_capture_on_commit_callbacks
):
    module = make_module(tree.region_a, themes=[Theme.DUTCH_SECOND_LANGUAGE, Theme.PARENT_CONTACT])
    follower = make_teacher(tree.school_a)
    both = make_teacher(tree.school_a3)
    elsewhere = make_teacher(tree.school_b)
    other_theme = make_teacher(tree.school_a2)
    alerts.set_followed(follower, [Theme.DUTCH_SECOND_LANGUAGE])
    alerts.set_followed(both, [Theme.DUTCH_SECOND_LANGUAGE, Theme.PARENT_CONTACT])
    alerts.set_followed(elsewhere, [Theme.DUTCH_SECOND_LANGUAGE])
    alerts.set_followed(other_theme, [Theme.WORLD_CITIZENSHIP])
    edition = make_edition(module, status=EditionStatus.DRAFT)

    with django_capture_on_commit_callbacks(execute=True):
        services.publish_edition(organiser_a, edition)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([follower.email, both.email])
    assert notify_theme_followers(edition.pk) == 0  # a second delivery sends nothing
    assert ThemeAlertSent.objects.count() == 2


def test_it_follows_exactly_the_chosen_themes_and_refuses_an_unknown_one(client, tree):
    teacher = make_teacher(tree.school_a)
    client.force_login(teacher)

    response = client.post("/courses/mine/themes/", {"themes": ["nt2", "multilingualism"]})
    assert response.status_code == 302
    assert alerts.followed(teacher) == {"nt2", "multilingualism"}
    response = client.post("/courses/mine/themes/", {"themes": ["nt2"]})
    assert alerts.followed(teacher) == {"nt2"}
    response = client.post("/courses/mine/themes/", {"themes": ["astrology"]})
    assert response.status_code == 400
    assert alerts.followed(teacher) == {"nt2"}


def test_it_does_not_alert_for_a_draft(tree):
    module = make_module(tree.region_a, themes=[Theme.DUTCH_SECOND_LANGUAGE])
    alerts.set_followed(make_membership(Role.TEACHER, tree.school_a), [Theme.DUTCH_SECOND_LANGUAGE])
    edition = make_edition(module, status=EditionStatus.DRAFT)

    assert notify_theme_followers(edition.pk) == 0
