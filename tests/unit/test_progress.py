"""The progress view's rules without a stack: who is behind
(grader/progress_job.py), what a learner is given (grader/progress.py), and
the CSV a trainer downloads (balaikode_hub/progress_page.py)."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import datetime, timezone

import pytest
from support.clock import Clock

from balaikode.grader.progress import Summaries, chart_words, for_learner
from balaikode.grader.progress_job import summarize
from balaikode_hub.progress_page import csv_bytes, safe_cell
from balaikode_hub.language import text

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)
PAST, FUTURE = "2026-12-01T08:00:00+00:00", "2026-12-20T08:00:00+00:00"


def handed(score, max_score=10.0, timestamp="2026-11-30T08:00:00+00:00"):
    return {"score": score, "max_score": max_score, "timestamp": timestamp,
            "needs_manual_grade": False}


def class_of_four():
    assignments = [{"name": "01-lewat", "duedate": PAST, "max_score": 10.0},
                   {"name": "02-ramai", "duedate": None, "max_score": 10.0},
                   {"name": "03-baru", "duedate": FUTURE, "max_score": 10.0}]
    submissions = {("ani", "01-lewat"): handed(10), ("ani", "02-ramai"): handed(6),
                   ("eko", "02-ramai"): handed(4),
                   ("dewi", "01-lewat"): handed(5, timestamp="2026-12-02T09:00:00+00:00"),
                   # Someone no longer in the course: not counted.
                   ("lama", "03-baru"): handed(10)}
    return summarize(assignments, submissions, ["ani", "eko", "dewi", "rudi"],
                     {"ani": "Ani", "eko": None}, NOW)


def test_an_assignment_is_expected_once_its_due_date_passed_or_half_the_class_handed_it_in():
    summary = class_of_four()
    expected = {a["name"]: (a["expected"], a["submitted"], a["mean_percent"])
                for a in summary["assignments"]}
    assert expected == {"01-lewat": (True, 2, 75.0), "02-ramai": (True, 2, 50.0),
                        "03-baru": (False, 0, None)}


def test_each_learner_is_on_track_behind_or_missing():
    rows = {row["name"]: row for row in class_of_four()["learners"]}
    assert (rows["ani"]["status"], rows["ani"]["missed"]) == ("ok", [])
    assert (rows["eko"]["status"], rows["eko"]["missed"]) == ("behind", ["01-lewat"])
    assert (rows["dewi"]["status"], rows["dewi"]["missed"]) == ("behind", ["02-ramai"])
    assert (rows["rudi"]["status"], rows["rudi"]["missed"]) == ("missing", ["01-lewat", "02-ramai"])
    # Over all assignments, the ones not handed in counting 0.
    assert rows["ani"]["total_percent"] == round(100 * 16 / 30, 1)
    assert rows["dewi"]["scores"]["01-lewat"]["late"] is True
    assert rows["ani"]["scores"]["01-lewat"]["late"] is False
    assert rows["eko"]["full_name"] is None and rows["ani"]["full_name"] == "Ani"


def test_nothing_is_expected_of_a_class_without_assignments_or_learners():
    empty = summarize([], {}, ["ani"], {}, NOW)
    assert empty["learners"][0]["status"] == "ok" and empty["learners"][0]["total_percent"] is None
    assert summarize([{"name": "01", "duedate": None, "max_score": 5.0}], {}, [], {}, NOW)[
        "assignments"][0]["expected"] is False


def test_a_learner_gets_her_row_and_no_class_numbers():
    mine = for_learner({**class_of_four(), "chart": "UE5H"}, "eko")
    assert [row["name"] for row in mine["learners"]] == ["eko"]
    assert mine["chart"] is None and mine["class_size"] is None
    assert all(set(a) == {"name", "duedate", "max_score", "expected"} for a in mine["assignments"])


@pytest.mark.parametrize("words", [None, {k: "Judul" for k in ("title", "submitted", "mean", "axis", "empty")}])
def test_chart_words_are_none_or_exactly_the_five_short_lines(words):
    assert chart_words(words) == words


@pytest.mark.parametrize("words", [[], {"title": "x"}, {k: 1 for k in ("title", "submitted", "mean", "axis", "empty")},
                                   {k: "a\tb" for k in ("title", "submitted", "mean", "axis", "empty")}])
def test_other_chart_words_are_refused_naming_the_key(words):
    with pytest.raises(ValueError, match="chart"):
        chart_words(words)


def test_summaries_are_made_once_while_fresh_and_again_after():
    made = []

    async def make():
        made.append(1)
        await asyncio.sleep(0)  # the others ask meanwhile
        return {"n": len(made)}

    clock = Clock()

    async def scenario():
        summaries = Summaries(fresh_seconds=60, clock=clock)
        together = await asyncio.gather(*(summaries.get(("kelas-a",), make) for _ in range(10)))
        assert together == [{"n": 1}] * 10
        clock.now += 59
        assert await summaries.get(("kelas-a",), make) == {"n": 1}
        clock.now += 1
        assert await summaries.get(("kelas-a",), make) == {"n": 2}
        assert await summaries.get(("kelas-b",), make) == {"n": 3}

    asyncio.run(scenario())


def test_at_most_two_summaries_are_made_at_once_whatever_the_keys():
    running, most = [0], [0]

    async def make():
        running[0] += 1
        most[0] = max(most[0], running[0])
        await asyncio.sleep(0)  # the others start meanwhile, if they may
        running[0] -= 1
        return {}

    async def scenario():
        summaries = Summaries()
        await asyncio.gather(*(summaries.get((f"kata-{i}",), make) for i in range(8)))

    asyncio.run(scenario())
    assert most[0] == 2


def test_new_chart_words_each_time_keep_one_entry_and_one_lock_per_course():
    # A trainer calling the grader herself with a new wording every time.
    made = []

    async def make():
        made.append(1)
        return {"n": len(made)}

    async def scenario():
        summaries = Summaries()
        for i in range(50):
            await summaries.get(("kelas-a", ("judul", f"kata {i}")), make)
        assert (len(summaries.kept), len(summaries.making)) == (1, 1)
        # The same words again within the fresh time: no new job.
        again = await summaries.get(("kelas-a", ("judul", "kata 49")), make)
        assert again == {"n": 50} and len(made) == 50

    asyncio.run(scenario())


@pytest.mark.parametrize("value, shown", [
    ("=1+1", "'=1+1"), ("+62812", "'+62812"), ("-5", "'-5"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("Siti", "Siti"), (None, ""), (80.0, "80.0")])
def test_cells_a_spreadsheet_would_run_start_with_an_apostrophe(value, shown):
    assert safe_cell(value) == shown


def test_the_csv_has_a_row_per_learner_in_the_pages_language():
    summary = class_of_four()
    summary["assignments"].append({"name": '=HYPERLINK("http://x")', "duedate": None,
                                   "max_score": 1.0})
    data = csv_bytes(summary, lambda key, **values: text(key, "id", **values))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Nama pengguna", "Nama lengkap", "Status", "Dikumpulkan", "Nilai total"]
    assert rows[0][-1] == "'=HYPERLINK(\"http://x\")"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["ani"][1:3] == ["Ani", "Sesuai jadwal"] and by_name["ani"][5] == "10/10"
    assert by_name["rudi"][2] == "Belum mengumpulkan" and by_name["rudi"][5] == ""
