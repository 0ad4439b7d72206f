"""Before and after the event (courses/followup.py): the school leader's copy of the reminder, the
evaluation invitation only after the last meeting and one reminder, the organiser's chart, and why a
teacher cannot cancel. The clock is moved with time-machine; tasks are called, then the mail is read."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail

from accounts.roles import Role
from config.celery import app as celery_app
from core.errors import ServiceError
from courses import completion, followup, services, tasks
from courses.models import Evaluation, FollowUpMessage
from tests.courses.factories import make_edition, make_enrolment, make_teacher
from tests.factories import make_membership, make_user

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # the first meeting; the second a week later, until 12:00


def _deliver() -> list[str]:
    """Run the beat task and every message it queued (as the worker would); the subjects sent."""
    before = len(mail.outbox)
    tasks.queue_followups()
    from core.models import OutboxMessage

    for message in OutboxMessage.objects.filter(task=followup.TASK, done_at__isnull=True):
        tasks.send_followup(*message.args)
        message.delete()
    return [m.subject for m in mail.outbox[before:]]


def test_it_invites_to_evaluate_only_after_the_last_meeting_then_reminds_once(tree, module_a):
    with time_machine.travel(START - timedelta(days=20), tick=False) as clock:
        edition = make_edition(module_a, meetings=2, start=START)
        teacher = make_teacher(tree.school_a, language="en")
        make_enrolment(edition, teacher)

        clock.move_to(START + timedelta(hours=4))  # after the first meeting
        after_first = _deliver()
        clock.move_to(START + timedelta(days=7, hours=2, minutes=59))  # the last meeting is still on
        during_last = _deliver()
        clock.move_to(START + timedelta(days=7, hours=3, minutes=1))  # a minute after it ended
        after_last = _deliver()
        again = _deliver()
        clock.move_to(START + timedelta(days=14, hours=3, minutes=1))  # seven days after the invitation
        reminder = _deliver()
        clock.move_to(START + timedelta(days=28))
        later = _deliver()

    assert (after_first, during_last) == ([], [])
    assert after_last == ["How was Multilingual classrooms? Please evaluate"]
    assert again == []
    assert reminder == ["Reminder: please evaluate Multilingual classrooms"]
    assert later == []
    assert mail.outbox[0].to == [teacher.email]
    assert f"/courses/enrolments/{teacher.enrolments.get().pk}/evaluate/" in mail.outbox[0].body


def test_it_sends_no_reminder_to_who_has_evaluated_and_no_invitation_after_a_late_move(
    tree, module_a, organiser_a
):
    with time_machine.travel(START - timedelta(days=20), tick=False) as clock:
        edition = make_edition(module_a, meetings=1, start=START)
        evaluated, other = make_teacher(tree.school_a), make_teacher(tree.school_a)
        first, second = make_enrolment(edition, evaluated), make_enrolment(edition, other)
        clock.move_to(START + timedelta(hours=3, minutes=30))
        tasks.queue_followups()  # invitations queued for both ...
        services.add_meeting(  # ... then a follow-up meeting is added: the edition has not ended
            organiser_a,
            edition,
            starts_at=START + timedelta(days=3),
            ends_at=START + timedelta(days=3, hours=2),
            venue="Stadhuis",
        )
        queued = [
            tasks.send_followup(e.pk, FollowUpMessage.Kind.EVALUATION_INVITATION) for e in (first, second)
        ]
        clock.move_to(START + timedelta(days=3, hours=3))
        invited = _deliver()
        Evaluation.objects.create(enrolment=first, rating=4)
        clock.move_to(START + timedelta(days=11))
        sent_before = len(mail.outbox)
        _deliver()
        reminded = [m.to[0] for m in mail.outbox[sent_before:]]

    assert queued == [0, 0]
    assert invited == ["Hoe was Multilingual classrooms? Graag je evaluatie"] * 2
    assert reminded == [other.email]


def test_it_copies_the_reminder_to_the_school_leader_when_the_edition_asks(tree, module_a):
    leader = make_membership(Role.SCHOOL_ADMIN, tree.school_a, make_user(language="en"))
    with time_machine.travel(START - timedelta(days=10), tick=False) as clock:
        asks = make_edition(module_a, start=START, remind_school_leader=True)
        silent = make_edition(module_a, start=START)
        teacher = make_teacher(tree.school_a)
        teacher.first_name, teacher.last_name = "Lotte", "de Vries"
        teacher.save()
        make_enrolment(asks, teacher)
        make_enrolment(silent, teacher)
        early = _deliver()
        clock.move_to(START - timedelta(days=1))
        sent = _deliver()
        twice = _deliver()

    assert (early, sent, twice) == ([], ["Copy of a reminder: Multilingual classrooms starts soon"], [])
    (copy,) = mail.outbox
    assert copy.to == [leader.email]
    assert "Lotte de Vries takes part in “Multilingual classrooms”" in copy.body


def test_it_registers_the_follow_up_in_the_beat_schedule():
    assert celery_app.conf.beat_schedule["courses-queue-followups"] == {
        "task": "courses.queue_followups",
        "schedule": 3600.0,
    }


def test_it_says_why_a_teacher_cannot_cancel_exactly_when_the_verb_refuses(client, tree, module_a):
    with time_machine.travel(START - timedelta(days=10), tick=False) as clock:
        edition = make_edition(module_a, start=START)  # free cancellation until two days before
        teacher = make_teacher(tree.school_a)
        enrolment = make_enrolment(edition, teacher)
        client.force_login(teacher)
        before = followup.why_not_cancellable(enrolment)
        shown_before = client.get("/courses/mine/").content.decode()
        clock.move_to(START - timedelta(days=1))
        after = followup.why_not_cancellable(enrolment)
        shown_after = client.get("/courses/mine/").content.decode()
        try:
            services.cancel_enrolment(teacher, enrolment)
        except ServiceError as exc:
            refused = exc.code
        else:
            refused = ""

    assert before == ""
    assert f'action="/courses/enrolments/{enrolment.pk}/cancel/"' in shown_before
    assert (
        after == "Free cancellation was possible until Feb. 27, 2027, 10 a.m.; please contact the organiser."
    )
    assert refused == "deadline_passed"
    assert f'action="/courses/enrolments/{enrolment.pk}/cancel/"' not in shown_after
    assert after in shown_after.replace("&#x27;", "'")


def test_it_shows_the_organiser_the_ratings_as_a_chart_with_the_comments(
    client, tree, edition_a, organiser_a
):
    for rating, comment in [(5, "Heel bruikbaar"), (4, ""), (5, "Meer oefeningen graag")]:
        Evaluation.objects.create(
            enrolment=make_enrolment(edition_a, make_teacher(tree.school_a)), rating=rating, comments=comment
        )
    client.force_login(organiser_a)

    page = client.get(f"/courses/organise/editions/{edition_a.pk}/evaluations/").content.decode()

    chart = followup.evaluation_chart(completion.evaluation_summary(edition_a))
    assert [(bar.label, bar.value) for bar in chart.bars] == [
        ("5 out of 5", 2),
        ("4 out of 5", 1),
        ("3 out of 5", 0),
        ("2 out of 5", 0),
        ("1 out of 5", 0),
    ]
    assert page.count("<svg") == 1
    assert "<li>Heel bruikbaar</li><li>Meer oefeningen graag</li>" in page


def test_it_hides_the_evaluation_results_from_other_organisers(client, tree, edition_a):
    client.force_login(make_membership(Role.REGIONAL_COORDINATOR, tree.region_b))

    assert client.get(f"/courses/organise/editions/{edition_a.pk}/evaluations/").status_code == 404
