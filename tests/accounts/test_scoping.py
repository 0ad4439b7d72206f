from accounts import scoping
from accounts.models import Organisation
from accounts.roles import Capability, Role
from tests.factories import make_membership


def test_it_scopes_organisations_to_the_subtree_of_a_membership(tree):
    coordinator_a1 = make_membership(Role.MUNICIPAL_COORDINATOR, tree.municipality_a1)

    names = set(
        scoping.scope(
            Organisation.objects.all(), coordinator_a1, Capability.MANAGE_ORGANISATIONS, field=""
        ).values_list("name", flat=True)
    )

    assert names == {"Municipality A1", "School A", "School A2"}
