"""A course's progress, read from its nbgrader gradebook: the job the grader
runs for the hub's progress page (progress.py).

This file runs inside a throwaway container of the learner image (no
network, the course folder mounted read-only at /course), never in the
grader: the learner image has nbgrader and matplotlib, the grader has
neither. The grader sends the file in with the request, so it is
self-contained (standard library here; nbgrader and matplotlib imported
where they are used) and a change to it needs no image build.

In: /tmp/request.json {"course", "learners": [names], "full_names": {name:
full name or null}, "chart": null or {"title", "submitted", "mean", "axis",
"empty"}} (the chart's words, in the page's language). Out, on stdout: the
summary (summarize()), with "chart": a PNG in base64 when asked for. The
chart holds only the class's numbers per assignment, no names: it is made to
be shared, with a sponsor too.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
from datetime import datetime, timezone

GRADEBOOK = "/course/gradebook.db"
# Assignments at least this share of the class has submitted are expected
# from everyone, due date or not: a trainer who sets no due dates still
# sees who is behind.
EXPECTED_SHARE = 0.5


def iso(moment: datetime | None) -> str | None:
    """nbgrader keeps naive UTC times."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).isoformat(timespec="seconds")


def read_gradebook(path: str, course: str) -> tuple[list[dict], dict[tuple[str, str], dict]]:
    """The gradebook's assignments and submissions, through nbgrader's API,
    opened read-only (SQLite's mode=ro: the volume is read-only as well)."""
    from nbgrader.api import Gradebook

    assignments, submissions = [], {}
    with Gradebook(f"sqlite:///file:{path}?mode=ro&uri=true", course_id=course) as gradebook:
        # By name: courses number them (01-variabel, 02-...).
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            assignments.append({"name": assignment.name, "duedate": iso(assignment.duedate),
                                "max_score": float(assignment.max_score or 0)})
            for row in gradebook.submission_dicts(assignment.name):
                submissions[(row["student"], assignment.name)] = {
                    "score": float(row["score"] or 0), "max_score": float(row["max_score"] or 0),
                    "timestamp": iso(row["timestamp"]),
                    "needs_manual_grade": bool(row["needs_manual_grade"])}
    return assignments, submissions


def percent(part: float, whole: float) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


def summarize(assignments: list[dict], submissions: dict[tuple[str, str], dict],
              learners: list[str], full_names: dict, now: datetime) -> dict:
    """Per assignment: how many of the class submitted, their mean score,
    whether it is expected from everyone by now (due date passed, or half the
    class has submitted it). Per learner: her scores, and a status: "missing"
    (nothing submitted of what is expected), "behind" (some of it missing),
    "ok"."""
    class_size = len(learners)
    rows_of_assignments = []
    for assignment in assignments:
        name, due = assignment["name"], assignment["duedate"]
        handed_in = [submissions[(learner, name)] for learner in learners
                     if (learner, name) in submissions]
        scores = [percent(s["score"], s["max_score"]) for s in handed_in]
        scores = [score for score in scores if score is not None]
        past_due = due is not None and datetime.fromisoformat(due) < now
        expected = past_due or (class_size > 0 and len(handed_in) >= EXPECTED_SHARE * class_size)
        rows_of_assignments.append({
            **assignment, "submitted": len(handed_in), "expected": expected,
            "mean_percent": round(sum(scores) / len(scores), 1) if scores else None})
    expected_names = [a["name"] for a in rows_of_assignments if a["expected"]]
    rows_of_learners = []
    for learner in learners:
        scores = {}
        for assignment in assignments:
            found = submissions.get((learner, assignment["name"]))
            if found is not None:
                due = assignment["duedate"]
                late = bool(due and found["timestamp"] and datetime.fromisoformat(
                    found["timestamp"]) > datetime.fromisoformat(due))
                scores[assignment["name"]] = {**found, "late": late}
        missed = [name for name in expected_names if name not in scores]
        status = ("missing" if expected_names and len(missed) == len(expected_names)
                  else "behind" if missed else "ok")
        total_max = sum(a["max_score"] for a in assignments)
        rows_of_learners.append({
            "name": learner, "full_name": full_names.get(learner), "status": status,
            "submitted": len(scores), "missed": missed, "scores": scores,
            "total_percent": percent(sum(s["score"] for s in scores.values()), total_max)})
    return {"assignments": rows_of_assignments, "learners": rows_of_learners,
            "class_size": class_size, "updated": iso(now.replace(tzinfo=None))}


def chart_png(summary: dict, words: dict) -> bytes:
    """Two bars per assignment: the share of the class that submitted it, and
    their mean score."""
    os.environ.setdefault("MPLCONFIGDIR", "/tmp/matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    # Words are text, never TeX-like math, whatever they contain.
    matplotlib.rcParams["text.parse_math"] = False
    from matplotlib import pyplot

    assignments = summary["assignments"]
    figure, axes = pyplot.subplots(figsize=(8, 4.5), dpi=100)
    if not assignments:
        axes.text(0.5, 0.5, words["empty"], ha="center", va="center", fontsize=14)
        axes.set_axis_off()
    else:
        places = range(len(assignments))
        size = max(summary["class_size"], 1)
        handed = [100 * a["submitted"] / size for a in assignments]
        means = [a["mean_percent"] or 0 for a in assignments]
        for offset, values, label, style in (
                (-0.2, handed, words["submitted"], {"color": "#1f6fb2"}),
                (0.2, means, words["mean"], {"color": "#e08a00", "hatch": "//", "edgecolor": "white"})):
            bars = axes.bar([p + offset for p in places], values, width=0.4, label=label, **style)
            # The numbers on the bars: the picture is read on phones, often small.
            axes.bar_label(bars, labels=[f"{v:.0f}%" for v in values], fontsize=9)
        axes.set_xticks(list(places), [a["name"] for a in assignments],
                        rotation=20 if len(assignments) > 4 else 0, ha="right" if len(assignments) > 4 else "center")
        axes.set_ylim(0, 125)  # room for the legend above the bars
        axes.set_ylabel(words["axis"])
        axes.legend(loc="upper center", ncols=2, fontsize=9)
        axes.grid(axis="y", alpha=0.3)
    axes.set_title(words["title"])
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    pyplot.close(figure)
    return out.getvalue()


def main() -> None:
    with open("/tmp/request.json", encoding="utf-8") as handle:
        request = json.load(handle)
    if os.path.exists(GRADEBOOK):
        assignments, submissions = read_gradebook(GRADEBOOK, request["course"])
    else:
        assignments, submissions = [], {}  # no assignment made in formgrader yet
    summary = summarize(assignments, submissions, request["learners"], request["full_names"],
                        datetime.now(timezone.utc))
    summary["gradebook"] = os.path.exists(GRADEBOOK)
    words = request.get("chart")
    summary["chart"] = base64.b64encode(chart_png(summary, words)).decode() if words else None
    json.dump(summary, sys.stdout)


if __name__ == "__main__":
    main()
