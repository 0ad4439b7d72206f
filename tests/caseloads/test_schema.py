import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

PATHS = [
    "/api/v1/support-requests/",
    "/api/v1/support-requests/{id}/",
    "/api/v1/support-requests/{id}/allocate/",
    "/api/v1/support-requests/allocate-open/",
    "/api/v1/cases/",
    "/api/v1/cases/{id}/",
    "/api/v1/visits/",
    "/api/v1/supporters/{id}/workload/",
]


@pytest.mark.django_db
def test_it_documents_the_caseloads_api_without_warnings(capsys):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)

    capsys.readouterr()
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    mine = ("caseloads", "Case", "Topic", "Expertise", "Visit", "Support", "Transfer", "Urgency")
    assert [m for m in messages if any(word in m for word in mine)] == []
    assert set(PATHS) <= set(schema["paths"])
    assert "override" in schema["components"]["schemas"]["AllocateRequest"]["properties"]
