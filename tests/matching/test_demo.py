import time

from accounts import demo as accounts_demo
from matching import demo
from matching.models import CheckIn, Match, MatchRun, MatchStatus, RunStatus
from pupils.models import Pupil


def test_it_seeds_a_finished_run_with_reviewed_pairs_and_check_ins_idempotently(db):
    started = time.perf_counter()
    ctx = accounts_demo.seed()
    demo.seed(ctx)
    counts = (Pupil.objects.count(), Match.objects.count(), CheckIn.objects.count())
    demo.seed(accounts_demo.seed())
    elapsed = time.perf_counter() - started

    assert (Pupil.objects.count(), Match.objects.count(), CheckIn.objects.count()) == counts
    run = MatchRun.objects.get()
    assert run.status == RunStatus.DONE
    statuses = set(Match.objects.values_list("status", flat=True))
    assert statuses == {MatchStatus.APPROVED, MatchStatus.PROPOSED, MatchStatus.REJECTED}
    assert CheckIn.objects.filter(done_at__isnull=False).exists()
    languages = {code for langs in Pupil.objects.values_list("home_languages", flat=True) for code in langs}
    assert {"ar", "uk", "pl", "tr", "ti"} <= languages
    assert elapsed < 10
