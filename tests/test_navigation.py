from django.urls import reverse

from core.navigation import items_for


def test_it_marks_only_the_longest_matching_entry_as_current(db):
    granted = frozenset({"browse_catalogue", "organise_courses"})

    items = items_for(granted, reverse("courses:organise"))

    assert [item["url"] for item in items if item["active"]] == [reverse("courses:organise")]
