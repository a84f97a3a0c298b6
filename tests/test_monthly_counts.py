"""The items completed and reports made per month, kept as the history is written: always what a recount of the
history gives, whichever path wrote the entries; the dashboard's chart over time reads them."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from test_import import PUNJAB, import_plan, plan_file
from test_progress import form_data, post_update
from test_verification import FOCAL, ITEM, decide_on, report
from tracker.extensions import db
from tracker.items.monthly_counts import counts_by_month
from tracker.models import MonthlyHistoryCount, Update


def kept() -> dict[str, tuple[int, int]]:
    """The months as kept: (completed, reported) by month, leaving out months at zero."""
    db.session.expire_all()
    rows = db.session.execute(sa.select(MonthlyHistoryCount.month, MonthlyHistoryCount.completed,
                                        MonthlyHistoryCount.reported))
    return {month: (completed, reported) for month, completed, reported in rows if completed or reported}


def recounted() -> dict[str, tuple[int, int]]:
    """The same, counted afresh from every entry of the history."""
    rows = db.session.execute(counts_by_month(db.engine.dialect.name))
    return {month: (completed, reported) for month, completed, reported in rows}


def test_kept_counts_equal_a_recount_after_changes_through_every_path(as_role, runner, tmp_path):
    # The seed's first entries (sources that say a thing is done) were counted as the catalogue was loaded.
    seeded = kept()
    assert seeded and seeded == recounted()
    month = datetime.now(UTC).strftime("%Y-%m")
    completed, reported = seeded.get(month, (0, 0))
    focal, coordinator = as_role("agency", "NADRA", email=FOCAL), as_role("coordinator")
    # An agency's report (reported), returned (nothing), reported again (reported) and verified (completed).
    first = report(focal, status="completed", progress="100", note="All records linked.")
    assert decide_on(coordinator, first.id, "send_back", "Attach NADRA's letter.").status_code == 302
    second = report(focal, status="completed", progress="100", note="Letter attached.")
    assert decide_on(coordinator, second.id, "verify", "Checked.").status_code == 302
    # A coordinator's own update (reported), and a planning change through the item's form (neither).
    assert post_update(coordinator, form_data(coordinator, ref="PAPER-a", status="in_progress", progress="20"),
                       ref="PAPER-a").status_code == 302
    assert kept()[month] == (completed + 1, reported + 3)
    # An import of a plan writes its entries through the same writer.
    result = import_plan(runner, plan_file(tmp_path / "punjab.csv", PUNJAB), "--create-agencies",
                         "--create-frameworks")
    assert result.exit_code == 0, result.output
    assert kept() == recounted()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Update)) > 0


def test_the_dashboard_reads_the_kept_months_and_a_filter_reads_the_same_from_the_history(as_role):
    coordinator, rapporteur = as_role("coordinator"), as_role("rapporteur")
    assert post_update(coordinator, form_data(coordinator, ref=ITEM, status="completed", progress="100"),
                       ref=ITEM).status_code == 302
    month = datetime.now(UTC).strftime("%Y-%m")
    html = rapporteur.get("/dashboard").get_data(as_text=True)
    completed, reported = kept()[month]
    assert f'<tr><th scope="row">{month}</th><td class="text-end" data-label="Items completed">{completed}</td>' in html
    # Every framework chosen in turn: the months of the history read directly add up to the kept ones.
    from tracker.dashboard.services import build_dashboard
    from tracker.items.filters import ItemFilters
    from tracker.models import Framework

    totals: dict[str, list[int]] = {}
    for code in db.session.scalars(sa.select(Framework.code)):
        for row in build_dashboard(ItemFilters(framework=code)).months:
            totals.setdefault(row.month, [0, 0])
            totals[row.month][0] += row.completed
            totals[row.month][1] += row.reported
    assert {m: tuple(c) for m, c in totals.items()} == kept() == {
        row.month: (row.completed, row.reported) for row in build_dashboard(ItemFilters()).months}


def test_the_recount_command_repairs_the_kept_months(seeded, runner):
    before = kept()
    db.session.execute(sa.update(MonthlyHistoryCount).values(completed=MonthlyHistoryCount.completed + 5))
    db.session.execute(sa.delete(MonthlyHistoryCount).where(MonthlyHistoryCount.month == min(before)))
    db.session.commit()
    assert kept() != before
    result = runner.invoke(args=["history", "recount"])
    assert result.exit_code == 0, result.output
    assert f"{len(before)} month(s)" in result.output
    assert kept() == before == recounted()


def test_the_migration_counts_the_history_written_before_it(tmp_path, blank_database_url):
    """Entries written before the counts existed: the migration counts them as the app would."""
    from flask_migrate import upgrade

    from conftest import make_app
    from tracker.enums import ReportStep, Status, UpdateKind
    from tracker.models import ActionItem, Framework, Pillar

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=blank_database_url)
    with app.app_context():
        upgrade(revision="785e4eb094c0")
        with db.engine.begin() as connection:  # core inserts: no session, so no flush counts them
            connection.execute(sa.insert(Framework.__table__).values(id=1, code="F", name="F", title="F"))
            connection.execute(sa.insert(Pillar.__table__).values(id=1, code="p", name="P"))
            connection.execute(sa.insert(ActionItem.__table__).values(id=1, ref="I-1", framework_id=1, pillar_id=1,
                                                                      title="t", text="t"))
            entry = {"item_id": 1, "kind": UpdateKind.PROGRESS, "status_before": Status.NOT_STARTED,
                     "status_after": Status.NOT_STARTED, "step": None}
            connection.execute(sa.insert(Update.__table__), [
                {**entry, "created_at": datetime(2025, 1, 31, 23, 59, tzinfo=UTC), "step": ReportStep.SUBMITTED},
                {**entry, "created_at": datetime(2025, 2, 1, 0, 0, tzinfo=UTC), "step": ReportStep.OFFICIAL,
                 "status_before": Status.IN_PROGRESS, "status_after": Status.COMPLETED},
                {**entry, "created_at": datetime(2025, 2, 3, tzinfo=UTC), "step": ReportStep.VERIFIED,
                 "status_before": Status.BLOCKED, "status_after": Status.COMPLETED},
                {**entry, "created_at": datetime(2025, 2, 4, tzinfo=UTC), "kind": UpdateKind.PLANNING},
                {**entry, "created_at": datetime(2025, 3, 4, tzinfo=UTC), "step": ReportStep.VERIFIED,
                 "status_before": Status.COMPLETED, "status_after": Status.COMPLETED},
            ])
        upgrade()
        assert kept() == recounted() == {"2025-01": (0, 1), "2025-02": (2, 1)}
