"""The seed loader: all-or-nothing validation, idempotence, and respect for users' history."""
import pytest
import sqlalchemy as sa

from conftest import SEED_DIR, replace_in
from tracker.enums import Status, UpdateOrigin
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import ActionItem, Agency, AgencyAlias, Evidence, ItemAgency, Update, User
from tracker.seeding.loader import seed_catalogue

COUNTED = [ActionItem, Agency, AgencyAlias, ItemAgency, Update, Evidence]


def row_counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in COUNTED}


def test_seed_loads_the_catalogue(app):
    report = seed_catalogue(str(SEED_DIR))
    assert report.created["items"] == db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem))
    assert report.created["items"] > 100
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-g"))
    assert item.lead.agency.short_name == "NADRA"
    assert item.framework.code == "PAPER"


def test_second_seed_changes_nothing(app):
    seed_catalogue(str(SEED_DIR))
    before = row_counts()
    versions = dict(db.session.execute(sa.select(ActionItem.ref, ActionItem.version)).all())
    report = seed_catalogue(str(SEED_DIR))
    assert not report.changed, report.summary()
    assert row_counts() == before
    assert dict(db.session.execute(sa.select(ActionItem.ref, ActionItem.version)).all()) == versions


def test_seed_command_reports_and_is_idempotent(app, runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0, first.output
    assert "items:" in first.output
    second = runner.invoke(args=["seed"])
    assert "nothing to change" in second.output
    skipped = runner.invoke(args=["seed", "--if-empty"])
    assert "already holds" in skipped.output


BAD_EDITS = [
    ("items/paper.toml", 'lead = "Federal Judicial Academy"', 'lead = "Ministry of Nowhere"',
     "unknown agency 'Ministry of Nowhere'"),
    ("items/paper.toml", 'ref = "PAPER-b"', 'ref = "PAPER-a"', "duplicate ref"),
    ("items/paper.toml", 'pillar = "protection"', 'pillar = "punishment"', "pillar 'punishment'"),
    ("items/paper.toml", 'status = "not_started"', 'status = "finished"', "status 'finished'"),
    ("items/paper.toml", 'ref = "PAPER-c"', 'ref = "PAPER c"', "ref may hold only"),
    ("evidence.toml", 'item = "NAP05-PROS-a-i"', 'item = "NAP05-NOPE"', "unknown item 'NAP05-NOPE'"),
    ("agencies.toml", 'kind = "ngo"', 'kind = "club"', "kind 'club'"),
    # A source that is no document of the register (a mistyped file name).
    ("evidence.toml", 'source = "004_39894861599362c9.txt"', 'source = "004_39894861599362c8.txt"',
     "is not a document of catalogue.toml's register"),
    # Responsibility as written (seed/README.md): a body marked stated that the item's text does not name,
    ("items/steps-2005.toml", 'assigned = ["Punjab Police"]\n', "", "['Punjab Police'] marked 'stated' but not named"),
    # a body the line names missing, or a body it does not name added on the line's basis,
    ("items/nap-2005.toml", 'lead = "Economic Affairs Division"\nsupporting = ["Ministry of Foreign Affairs"]',
     'lead = "Economic Affairs Division"\nsupporting = ["Ministry of Foreign Affairs", "Ministry of Finance"]',
     "the bodies on the basis 'stated' are"),
    # a line read in a different order (its first body leads),
    ("items/nap-2005.toml", 'lead = "Ministry of Labour"\nsupporting = ["Federal Investigation Agency"]',
     'lead = "Federal Investigation Agency"\nsupporting = ["Ministry of Labour"]', "in that order"),
    # a phrase of the line that names no known body (a misspelt ministry),
    ("items/nap-2005.toml", '"Responsibility: Ministry of Interior, National Database & Registration Authority"',
     '"Responsibility: Ministry of Interior, National Databank Authority"', "names no known body in ['National Data"),
    # a line that names bodies, on the basis "assigned",
    ("items/nap-2005.toml", 'responsibility_basis = "group"\nassigned = ["Federal Investigation Agency"]',
     'responsibility_basis = "assigned"\nassigned = ["Federal Investigation Agency"]', "already \"assigned\""),
    # "group" with no governing line, and an assigned body that is not one of the item's.
    ("items/paper.toml", 'responsibility_basis = "assigned"', 'responsibility_basis = "group"', "needs the governing"),
    ("items/paper.toml", 'assigned = ["Federal Investigation Agency", "Police"]',
     'assigned = ["Federal Investigation Agency", "Police", "NADRA", "Sahil"]', "neither the lead nor a supporting"),
    # Filing under the 4Ps: an item of the 2005 plan's PREVENTION filed elsewhere without the curator's reason,
    ("items/nap-2005.toml", 'pillar = "prevention"\npillar_basis = "stated"',
     'pillar = "protection"\npillar_basis = "stated"', "pillar_basis \"assigned\" and a pillar_reason are needed"),
    # and a step (under no pillar heading) claiming its pillar is the source's.
    ("items/steps-2005.toml", 'pillar_basis = "assigned"\npillar_reason', 'pillar_basis = "stated"\npillar_reason',
     "needs a section under a"),
    ("synonyms.toml", 'terms = ["helpline"', 'term = ["helpline"', "synonym #1: unknown field 'term'"),
    ("synonyms.toml", '"hotline"', '"KP"', "synonym #3: term 'KP' is also in synonym #1"),
    ("synonyms.toml", '["ICT", "Islamabad Capital Territory"]', '["ICT"]', "needs at least two"),
    ("synonyms.toml", '["Balochistan", "Baluchistan"]', '["Balochistan", "--"]', "term '--' holds no word"),
]


@pytest.mark.parametrize("file, old, new, message", BAD_EDITS)
def test_bad_seed_names_file_and_record_and_writes_nothing(app, seed_copy, file, old, new, message):
    replace_in(seed_copy / file, old, new)
    with pytest.raises(Invalid) as raised:
        seed_catalogue(str(seed_copy))
    text = str(raised.value)
    assert file in text and message in text, text
    assert all(count == 0 for count in row_counts().values())


def test_bad_reseed_leaves_existing_catalogue_untouched(app, runner, seed_copy):
    seed_catalogue(str(seed_copy))
    before = row_counts()
    titles = dict(db.session.execute(sa.select(ActionItem.ref, ActionItem.title)).all())
    replace_in(seed_copy / "items/paper.toml", 'title = "', 'title = "CHANGED ')  # a valid change …
    replace_in(seed_copy / "items/steps-2005.toml", 'pillar = "prevention"', 'pillar = "nope"')  # … and a bad one
    result = runner.invoke(args=["seed", "--seed-dir", str(seed_copy)])
    assert result.exit_code == 1
    assert "items/steps-2005.toml: item STEP-" in result.output
    assert "nothing was written" in result.output
    db.session.expire_all()
    assert row_counts() == before
    assert dict(db.session.execute(sa.select(ActionItem.ref, ActionItem.title)).all()) == titles


def test_invalid_toml_is_reported_with_its_file(app, seed_copy):
    (seed_copy / "items/paper.toml").write_text('framework = "PAPER"\n[[item]\n')
    with pytest.raises(Invalid, match="items/paper.toml: file: is not valid TOML"):
        seed_catalogue(str(seed_copy))


NEW_ITEM = """framework = "PAPER"

[[item]]
ref = "PAPER-extra"
label = "extra"
section = "Recommendations"
title = "A recommendation added later"
title_ur = "بعد میں شامل کی گئی سفارش"
text = "Track every commitment."
locator = "VIII. Recommendations, (extra)"
pillar = "partnership"
lead = "FIA"
supporting = ["Ministry of Interior"]
"""


def test_reseed_refreshes_curated_fields_and_adds_new_items(app, seed_copy):
    seed_catalogue(str(seed_copy))
    old_title = db.session.scalar(sa.select(ActionItem.title).where(ActionItem.ref == "PAPER-a"))
    replace_in(seed_copy / "items/paper.toml", f'title = "{old_title}"', 'title = "Mass awareness, refreshed"')
    (seed_copy / "items/zz-extra.toml").write_text(NEW_ITEM)
    report = seed_catalogue(str(seed_copy))
    assert report.created["items"] == 1
    assert report.updated["items"] == 1
    db.session.expire_all()
    title = db.session.scalar(sa.select(ActionItem.title).where(ActionItem.ref == "PAPER-a"))
    assert title == "Mass awareness, refreshed"
    extra = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-extra"))
    assert extra.lead.agency.short_name == "FIA"
    assert [a.agency.name for a in extra.supporting] == ["Ministry of Interior"]


def test_reseed_never_touches_users_history(app, seed_copy, make_user):
    seed_catalogue(str(seed_copy))
    user = make_user("coordinator")
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-k"))
    db.session.add(
        Update(item=item, author=user, status_before=item.status, status_after=Status.IN_PROGRESS,
               progress_before=0, progress_after=40, note="Budget request filed.")
    )
    item.status, item.progress = Status.IN_PROGRESS, 40
    db.session.add(Evidence(item=item, note="Letter of 3 March", origin=UpdateOrigin.USER))
    db.session.commit()
    seed_catalogue(str(seed_copy))
    db.session.expire_all()
    item = db.session.scalar(sa.select(ActionItem).where(ActionItem.ref == "PAPER-k"))
    assert (item.status, item.progress) == (Status.IN_PROGRESS, 40)
    assert [u.note for u in item.updates if u.origin == UpdateOrigin.USER] == ["Budget request filed."]
    assert "Letter of 3 March" in [e.note for e in item.evidence]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_completed_item_gets_its_source_sentence_as_first_update(seeded):
    item = db.session.scalar(
        sa.select(ActionItem).where(ActionItem.status == Status.COMPLETED, ActionItem.framework.has(code="STEPS05"))
    )
    assert item.status_derived
    (first,) = [u for u in item.updates if u.origin == UpdateOrigin.SOURCE]
    assert first.author is None and first.status_after == Status.COMPLETED and first.note
    assert item.last_update_at is not None
