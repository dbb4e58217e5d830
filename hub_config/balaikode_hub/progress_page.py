"""/hub/kemajuan: who submitted what, scores, who is behind, per course.

A course's trainers and the admins see the whole class (a table, a chart
to share, a CSV); a learner sees only her own row. The numbers come from
the course's nbgrader gradebook, which the hub never mounts: the grader
service reads it in a throwaway container (src/balaikode/grader/progress.py)
and answers the caller's own view. The hub calls it with a token of the
person looking, made for this one request (no scope but the grader's,
balaikode/grader_scope.py; one minute, deleted after the answer), so the
grader checks the same person the hub did and gives a learner her own row
only, whatever the hub asks. This page checks too, and shows only rows that are hers.

Everything learners write (user names, full names) and trainers name
(assignments) is escaped by the template, and in the CSV a cell that a
spreadsheet would read as a formula starts with an apostrophe.
"""

from __future__ import annotations

import base64
import csv
import io
import json

from jupyterhub import orm
from jupyterhub.handlers import BaseHandler
from tornado import httpclient, web

from balaikode.grader_scope import GRADER_SCOPE
from balaikode.names import is_valid

from .apply import GRADER_URL
from .courses import course_names, courses_of
from .language import COOKIE, SITE_LANGUAGE_VAR, choose_language, text

PROGRESS_URL = f"{GRADER_URL}/services/grader/progress"
TOKEN_SECONDS = 60
# The grader's job may take a while on a busy server (up to two minutes).
GRADER_TIMEOUT = 150
MSG_NOT_YOURS = "Only the course's trainers, its learners and admins see its progress."
MSG_UNAVAILABLE = "The gradebook cannot be read right now. Try again in a moment."
STATUS_ORDER = {"missing": 0, "behind": 1, "ok": 2}
# A spreadsheet reads a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def viewable_courses(db, user) -> tuple[list[str], list[str]]:
    """(courses whose whole class she sees, courses where she sees her own row)."""
    teaches, learns = courses_of(user)
    if user.admin:
        teaches = course_names(db)
    return teaches, [course for course in learns if course not in teaches]


def safe_cell(value) -> str:
    text_value = "" if value is None else str(value)
    return "'" + text_value if text_value.startswith(FORMULA_STARTS) else text_value


def score_text(score: dict | None) -> str:
    if score is None:
        return ""
    return f"{score['score']:g}/{score['max_score']:g}"


def csv_bytes(summary: dict, words) -> bytes:
    """The table, one row per learner. words(key) is a text of the page's language."""
    out = io.StringIO()
    writer = csv.writer(out)
    names = [a["name"] for a in summary["assignments"]]
    writer.writerow([safe_cell(cell) for cell in (
        words("progress.csv_user"), words("progress.csv_full_name"), words("progress.col_status"),
        words("progress.col_submitted"), words("progress.col_total"), *names)])
    for row in summary["learners"]:
        writer.writerow([safe_cell(cell) for cell in (
            row["name"], row["full_name"], words(f"progress.status_{row['status']}"),
            row["submitted"], row["total_percent"],
            *(score_text(row["scores"].get(name)) for name in names))])
    # A BOM: spreadsheet programs then read the names' letters as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class ProgressBase(BaseHandler):
    def language(self) -> str:
        return choose_language(self.get_cookie(COOKIE),
                               (self.settings.get("template_vars") or {}).get(SITE_LANGUAGE_VAR))

    def words(self, key: str, **values) -> str:
        return text(key, self.language(), **values)

    def chart_words(self, course: str) -> dict:
        return {key: self.words(f"progress.chart_{key}", course=course) if key == "title"
                else self.words(f"progress.chart_{key}")
                for key in ("title", "submitted", "mean", "axis", "empty")}

    def viewer_course(self, course: str) -> bool:
        """Whether the viewer sees the whole class of `course`; 404/403 otherwise."""
        if not is_valid("course", course):
            raise web.HTTPError(404)
        whole, own = viewable_courses(self.db, self.current_user)
        if course in whole:
            return True
        if course in own:
            return False
        raise web.HTTPError(403, MSG_NOT_YOURS)

    async def summary(self, course: str, chart: bool = False) -> dict:
        whole_class = self.viewer_course(course)
        user = self.current_user
        token = user.new_api_token(note="Balai Kode progress page", scopes=[GRADER_SCOPE],
                                   expires_in=TOKEN_SECONDS)
        body = {"course": course, "chart": self.chart_words(course) if chart and whole_class else None}
        try:
            response = await httpclient.AsyncHTTPClient().fetch(httpclient.HTTPRequest(
                PROGRESS_URL, method="POST", body=json.dumps(body),
                headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
                request_timeout=GRADER_TIMEOUT))
        except httpclient.HTTPClientError as error:
            self.log.error("Progress of %s for %s: the grader answered %s %s", course, user.name,
                           error.code, error.response.body[:300] if error.response else "")
            if error.code in (403, 404):
                raise web.HTTPError(error.code, MSG_NOT_YOURS) from None
            raise web.HTTPError(503, MSG_UNAVAILABLE) from None
        except OSError as error:
            self.log.error("Progress of %s: the grader could not be reached: %s", course, error)
            raise web.HTTPError(503, MSG_UNAVAILABLE) from None
        finally:
            orm_token = orm.APIToken.find(self.db, token)
            if orm_token is not None:
                self.db.delete(orm_token)
                self.db.commit()
        summary = json.loads(response.body)
        if not (whole_class and summary.get("whole_class")):
            # Defence in depth: the grader already sent only her row.
            summary["learners"] = [row for row in summary["learners"] if row["name"] == user.name]
            summary["chart"] = None
            summary["whole_class"] = False
        return summary


class ProgressIndex(ProgressBase):
    @web.authenticated
    async def get(self):
        whole, own = viewable_courses(self.db, self.current_user)
        self.finish(await self.render_template("progress-index.html", whole=whole, own=own))


class ProgressPage(ProgressBase):
    @web.authenticated
    async def get(self, course: str):
        summary = await self.summary(course)
        learners = sorted(summary["learners"],
                          key=lambda row: (STATUS_ORDER.get(row["status"], 3), row["name"]))
        counts = {status: sum(1 for row in learners if row["status"] == status)
                  for status in STATUS_ORDER}
        self.finish(await self.render_template(
            "progress.html", course=course, summary=summary, learners=learners, counts=counts))


class ProgressCsv(ProgressBase):
    @web.authenticated
    async def get(self, course: str):
        summary = await self.summary(course)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="kemajuan-{course}.csv"')
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(csv_bytes(summary, self.words))


class ProgressChart(ProgressBase):
    @web.authenticated
    async def get(self, course: str):
        summary = await self.summary(course, chart=True)
        if not summary.get("chart"):
            raise web.HTTPError(404)
        self.set_header("Content-Type", "image/png")
        self.set_header("Cache-Control", "private, max-age=60")
        self.set_header("X-Content-Type-Options", "nosniff")
        if self.get_query_argument("unduh", ""):
            self.set_header("Content-Disposition", f'attachment; filename="kemajuan-{course}.png"')
        self.finish(base64.b64decode(summary["chart"]))


HANDLERS = [
    (r"/kemajuan/?", ProgressIndex),
    (r"/kemajuan/([^/]+)/?", ProgressPage),
    (r"/kemajuan/([^/]+)/kemajuan\.csv", ProgressCsv),
    (r"/kemajuan/([^/]+)/grafik\.png", ProgressChart),
]
