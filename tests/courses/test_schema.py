from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

COURSES_PATHS = {
    "/api/v1/modules/",
    "/api/v1/editions/",
    "/api/v1/editions/{id}/enrol/",
    "/api/v1/editions/{id}/capacity/",
    "/api/v1/enrolments/",
    "/api/v1/enrolments/{id}/cancel/",
    "/api/v1/enrolments/{id}/accept-offer/",
    "/api/v1/meetings/{id}/attendance/",
    "/api/v1/check-in/",
    "/api/v1/me/pd-record/",
}


def test_it_documents_the_courses_api_without_warnings(db):
    GENERATOR_STATS.reset()

    schema = SchemaGenerator().get_schema(request=None, public=True)

    assert set(schema["paths"]) >= COURSES_PATHS
    ours = ("courses", "Edition", "Enrolment", "Meeting", "Module", "PDRecord", "CheckIn", "Theme")
    warnings = [
        w
        for w in {**GENERATOR_STATS._warn_cache, **GENERATOR_STATS._error_cache}
        if any(o in w for o in ours)
    ]
    assert warnings == []
    enrol = schema["paths"]["/api/v1/editions/{id}/enrol/"]["post"]["responses"]["201"]
    assert enrol["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Enrolment"}
