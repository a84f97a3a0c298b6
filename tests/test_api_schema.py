"""The API against its own OpenAPI document, fuzzed in-process with schemathesis.

Every operation of /api/v1/openapi.json gets a fixed number of generated requests (valid ones and ones
that break the schema), sent with the bearer token of a coordinator and of an agency user; the operations on
assessments also with the rapporteur's, the one role that gets past the assessment's 403. A 5xx, a status
code the document does not list, a content type it does not give, a body that does not match its schema, or
a documented header that is missing fails the test. Nothing is skipped or ignored.
"""
from __future__ import annotations

import itertools
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tracker.api.tokens import issue_token

EXAMPLES = 25  # per operation, role and generation mode
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
ROLES = {"coordinator": None, "agency": "NADRA", "rapporteur": None}
# The rapporteur reads as everyone does: only the operations where the role makes a difference.
ONLY = {"rapporteur": "/assessments"}
# NADRA leads it: the coordinator and the agency may report on it, the rapporteur assess it, so their requests
# get past the 404 and the 403.
ITEM = "PAPER-g"


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_as_documented(seeded, make_user, role):
    user = make_user(role, email=f"fuzz-{role}@example.org", agency=ROLES[role])
    _, secret = issue_token(user, "fuzzing")
    auth = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", seeded, headers=auth)

    failures: dict[str, str] = {}
    cases = 0
    statuses: Counter[tuple[str, int]] = Counter()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4, [op.label for op in operations]
    operations = [op for op in operations if ONLY.get(role, "/") in op.path]
    for operation in operations:
        # Random refs find no item; an item's ref as well lets the body and the item's rules be reached.
        refs = [None, {"ref": ITEM}] if "{ref}" in operation.path else [None]
        for mode, path_parameters in itertools.product(MODES, refs):

            @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
            def run(case):
                nonlocal cases
                cases += 1
                response = case.call_and_validate(headers=auth, checks=CHECKS)
                statuses[case.operation.label, response.status_code] += 1

            try:
                run()
            except Exception as exc:  # every operation is tried; all failures are reported together
                label = f"{operation.label} ({mode.value}{', ref ' + ITEM if path_parameters else ''})"
                failures[label] = f"{type(exc).__name__}: {exc}"
    print(f"{role}: {cases} cases on {len(operations)} operations in {time.monotonic() - started:.1f} s;",
          dict(sorted(statuses.items())))
    assert not failures, "\n\n".join(f"{label}\n{text}" for label, text in failures.items())
