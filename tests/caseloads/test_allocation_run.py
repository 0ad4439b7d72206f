"""Large queues are solved by a background allocation run: progress, then the proposal; safe to run twice."""

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from caseloads import allocation
from caseloads.models import AllocationRun, AllocationRunStatus, Case
from caseloads.services import runs
from core.errors import Conflict
from core.models import OutboxMessage
from matching.engine import gap
from tests.caseloads.factories import make_request, make_supporter
from tests.factories import make_membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def background(monkeypatch):
    monkeypatch.setattr(allocation, "INLINE_PAIRS", 0)  # every queue counts as large


@pytest.fixture
def coordinator(tree):
    return make_membership(Role.REGIONAL_COORDINATOR, tree.region_a)


def test_it_calculates_a_large_queue_in_the_background_and_then_shows_the_proposal(
    tree, client, coordinator, background, django_capture_on_commit_callbacks
):
    supporter = make_supporter(tree.support_a)
    request = make_request(tree.school_a)
    client.force_login(coordinator)

    before = client.get(reverse("caseloads:allocate_open"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("caseloads:allocate_open"), {"action": "start"})
    after = client.get(reverse("caseloads:allocate_open"))
    run = AllocationRun.objects.get()
    confirmed = client.post(
        reverse("caseloads:allocate_open"),
        {"pair": [f"{request.pk}:{supporter.pk}"], "fingerprint": after.context["proposal"].fingerprint},
    )

    assert before.context["proposal"] is None
    assert "Calculate the proposal" in before.content.decode()
    assert OutboxMessage.objects.get(task="caseloads.run_allocation").args == [run.pk]
    assert (run.status, run.progress, run.result["pairs"]) == ("done", 100, [[request.pk, supporter.pk]])
    assert [row["value"] for row in after.context["rows"]] == [f"{request.pk}:{supporter.pk}"]
    assert confirmed.status_code == 302
    assert Case.objects.get().supporter == supporter


def test_it_shows_progress_while_the_run_is_under_way(tree, client, coordinator, background):
    make_supporter(tree.support_a)
    make_request(tree.school_a)
    run = runs.start_run(coordinator)  # no commit in this test: the task does not start
    client.force_login(coordinator)

    page = client.get(reverse("caseloads:allocate_open"))
    progress = client.get(reverse("caseloads:allocation_run_progress", args=[run.pk])).json()

    url = reverse("caseloads:allocation_run_progress", args=[run.pk])
    assert f'data-progress-url="{url}"' in page.content.decode()
    assert progress == {"status": "queued", "percent": 0, "label": "Waiting for a worker…", "done": False}


def test_it_refuses_a_second_run_while_one_is_under_way(coordinator):
    runs.start_run(coordinator)

    with pytest.raises(Conflict):
        runs.start_run(coordinator)

    assert AllocationRun.objects.count() == 1


def test_it_does_nothing_when_the_task_is_delivered_twice(tree, coordinator):
    make_supporter(tree.support_a)
    make_request(tree.school_a)
    run = runs.start_run(coordinator)

    first, second = runs.execute(run.pk), runs.execute(run.pk)

    run.refresh_from_db()
    assert (first, second) == (True, False)
    assert run.status == AllocationRunStatus.DONE


def test_it_claims_again_a_run_whose_worker_died(tree, coordinator):
    make_supporter(tree.support_a)
    make_request(tree.school_a)
    run = runs.start_run(coordinator)
    started = timezone.now() - runs.LEASE - timezone.timedelta(seconds=1)
    AllocationRun.objects.filter(pk=run.pk).update(status=AllocationRunStatus.RUNNING, started_at=started)

    assert runs.execute(run.pk) is True
    run.refresh_from_db()
    assert run.status == AllocationRunStatus.DONE


def test_it_leaves_a_running_run_within_its_lease_alone(coordinator):
    run = runs.start_run(coordinator)
    AllocationRun.objects.filter(pk=run.pk).update(
        status=AllocationRunStatus.RUNNING, started_at=timezone.now()
    )

    assert runs.execute(run.pk) is False


def test_it_offers_a_new_calculation_when_the_queue_changed_after_the_run(
    tree, client, coordinator, background
):
    make_supporter(tree.support_a)
    make_request(tree.school_a)
    runs.execute(runs.start_run(coordinator).pk)
    make_request(tree.school_a2)  # arrives after the run
    client.force_login(coordinator)

    page = client.get(reverse("caseloads:allocate_open"))

    assert page.context["proposal"] is None
    assert "changed since the last calculation" in page.content.decode()


def test_it_hides_another_users_run_progress(tree, client, coordinator):
    run = runs.start_run(coordinator)
    client.force_login(make_membership(Role.REGIONAL_COORDINATOR, tree.region_a))

    assert client.get(reverse("caseloads:allocation_run_progress", args=[run.pk])).status_code == 404


def test_it_shows_the_proven_gap_when_the_time_limit_stopped_the_solver(
    tree, client, coordinator, monkeypatch
):
    make_supporter(tree.support_a)
    make_request(tree.school_a)
    make_request(tree.school_a2)
    stopped = gap.Solution(np.array([-1, -1]), 0, 0.0, False, 2, 0.0, 5.0)
    monkeypatch.setattr(allocation, "solve_exact", lambda *args, **kwargs: stopped)
    client.force_login(coordinator)

    page = client.get(reverse("caseloads:allocate_open"))

    assert (page.context["proposal"].optimal, page.context["proposal"].missing_at_most) == (False, 2)
    assert "at most 2 more requests could be allocated" in page.content.decode()


def test_a_background_run_stopped_by_the_time_limit_shows_its_proven_cost_gap(
    tree, client, coordinator, background, monkeypatch, django_capture_on_commit_callbacks
):
    make_supporter(tree.support_a)
    make_supporter(tree.support_a)
    make_request(tree.school_a)
    make_request(tree.school_a2)
    # Both requests placed (no allocation has more), cost 9 with a proven bound of 7.
    stopped = gap.Solution(np.array([0, 1]), 2, 9.0, False, 2, 7.0, 120.0)
    monkeypatch.setattr(allocation, "solve_exact", lambda *args, **kwargs: stopped)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("caseloads:allocate_open"), {"action": "start"})
    page = client.get(reverse("caseloads:allocate_open"))

    run = AllocationRun.objects.get()
    assert (run.result["optimal"], run.result["missing_at_most"], run.result["cost_gap"]) == (False, 0, 2.0)
    text = page.content.decode()
    assert "no allocation has more requests, and the best one costs at most 2 less than this one" in text
    assert "Total cost of this proposal: 9." in text
    assert "each further new request for the same supporter costs 1 more" in text  # the spreading term
