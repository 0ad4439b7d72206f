from accounts import demo as accounts_demo
from courses import demo
from courses.models import Certificate, Edition, Enrolment, EnrolmentStatus, Interest, Participant


def test_it_seeds_a_year_of_courses_idempotently(db):
    ctx = accounts_demo.seed()
    demo.seed(ctx)
    counts = (Edition.objects.count(), Enrolment.objects.count(), Certificate.objects.count())

    demo.seed(accounts_demo.seed())

    assert (Edition.objects.count(), Enrolment.objects.count(), Certificate.objects.count()) == counts
    assert Enrolment.objects.filter(status=EnrolmentStatus.WAITLISTED).exists()
    assert Certificate.objects.filter(teacher=ctx.users["teacher"]).exists()
    assert Interest.objects.exists()
    assert Participant.objects.count() == 5
