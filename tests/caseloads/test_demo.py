from accounts import demo as accounts_demo
from caseloads import demo
from caseloads.models import (
    Case,
    CaseStatus,
    RequestStatus,
    SupporterProfile,
    SupportRequest,
    Transfer,
    Visit,
)


def test_it_seeds_requests_in_every_state_and_cases_with_visits_idempotently(db):
    ctx = accounts_demo.seed()

    demo.seed(ctx)
    counts = (SupportRequest.objects.count(), Case.objects.count(), Visit.objects.count())
    demo.seed(ctx)

    assert (SupportRequest.objects.count(), Case.objects.count(), Visit.objects.count()) == counts
    assert set(SupportRequest.objects.values_list("status", flat=True)) == set(RequestStatus.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert SupporterProfile.objects.count() == 3
    assert Visit.objects.filter(done=True).count() >= 10
    assert Transfer.objects.count() == 1
