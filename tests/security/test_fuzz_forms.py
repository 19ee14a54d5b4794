"""Bad input over every form: text, numbers, dates, huge strings, unicode and NUL bytes never
cause a 500, and never leave a counter out of step with the rows it counts."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.security.test_role_matrix import url_of
from tests.security.valid_forms import valid_forms
from voicebox.extensions import db
from voicebox.models import Concern, ConcernSupport, Petition, Signature

# Logging out, deleting the account or changing the password would end the fuzzing session.
SKIP = {"auth.logout", "account.delete", "account.password", "auth.setup"}

hostile_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(
        ["\x00", "a\x00b", "' OR 1=1 --", "%s%s%n", "../../etc/passwd", "\u202e\u0000", "😀" * 50]
    ),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.sampled_from(["2024-02-30", "0000-00-00", "9999-12-31", "1e9", "NaN", "-0", " 12 "]),
    st.integers(min_value=10_000, max_value=200_000).map(lambda n: "x" * n),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _counters_agree() -> None:
    for petition in db.session.scalars(select(Petition)):
        rows = db.session.scalar(select(func.count()).where(Signature.petition_id == petition.id))
        assert petition.signature_count == rows, "a signature counter is out of step with its rows"
    for concern in db.session.scalars(select(Concern)):
        rows = db.session.scalar(select(func.count()).where(ConcernSupport.concern_id == concern.id))
        assert concern.support_count == rows, "a support counter is out of step with its rows"


@given(data=st.data())
@FUZZ
def test_no_form_answers_bad_input_with_a_500(app, world, data):
    forms = valid_forms(world)
    endpoint = data.draw(st.sampled_from(sorted(set(forms) - SKIP)), label="endpoint")
    role, form = forms[endpoint]
    fields = sorted(form) or ["junk"]
    mutated = dict(form)
    for name in data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=len(fields), unique=True)):
        mutated[name] = data.draw(hostile_text, label=name)
    client = world.client(role) if role != "anonymous" else world.app.test_client()
    response = client.post(url_of(world.app, world, endpoint), data=mutated)
    assert response.status_code < 500, (endpoint, response.status_code)
    assert response.status_code in {200, 302, 400, 403, 404, 413, 429}
    _counters_agree()


@given(path=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80))
@FUZZ
def test_no_url_answers_with_a_500(app, world, path):
    client = world.client("member")
    for prefix in ("/petitions/", "/concerns/", "/audit?page=", "/concerns?q=", "/concerns?page="):
        response = client.get(prefix + path)
        assert response.status_code < 500, (prefix, path)
