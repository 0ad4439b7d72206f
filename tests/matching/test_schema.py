import re

import yaml
from django.core.management import call_command

MATCHING_PATHS = (
    "/api/v1/pupils/",
    "/api/v1/buddies/",
    "/api/v1/match-runs/",
    "/api/v1/matches/",
    "/api/v1/import-jobs/",
)


def test_it_documents_every_matching_endpoint_without_schema_warnings(tmp_path, capsys):
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--file", str(out), "--validate")

    stderr = capsys.readouterr().err
    ours = [
        line
        for line in stderr.splitlines()
        if re.search(r"matching|pupil|budd|match|check.?in|import", line, re.IGNORECASE)
    ]
    assert ours == []
    paths = yaml.safe_load(out.read_text())["paths"]
    for prefix in MATCHING_PATHS:
        assert any(p.startswith(prefix) for p in paths), prefix
    assert "post" in paths["/api/v1/matches/{id}/approve/"]
    assert set(paths["/api/v1/matches/{id}/check-ins/"]) == {"get", "post"}
    assert "202" in paths["/api/v1/match-runs/"]["post"]["responses"]
