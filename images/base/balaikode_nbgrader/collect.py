"""`nbgrader collect` for trainers: the grader service does the copying.

Trainers cannot (and should not) read the exchange's inbound folder: it holds
every learner's submissions. The grader service collects as root in a
throwaway container and accepts a submission only if the Linux owner of the
submitted folder is the learner it claims to be from.
"""

import os

from nbgrader.exchange.abc import ExchangeCollect as ABCExchangeCollect
from nbgrader.exchange.default.exchange import Exchange

from . import roster
from .service import GraderServiceError, call_grader


class ServiceCollect(Exchange, ABCExchangeCollect):
    def init_src(self):
        if not self.coursedir.course_id:
            self.fail("No course id specified. Re-run with --course flag.")

    def init_dest(self):
        pass

    def copy_files(self):
        course = self.coursedir.course_id or os.environ.get("BALAIKODE_COURSE", "")
        # Today's names in the gradebook before grading starts (roster.py).
        roster.update(course, self.coursedir.db_url)
        try:
            report = call_grader("/collect", {
                "course": course,
                "assignment": self.coursedir.assignment_id,
            }, timeout=300)
        except GraderServiceError as error:
            self.fail(str(error))
        for item in report["collected"]:
            self.log.info("Collected %s %s (%s)", item["student"], self.coursedir.assignment_id,
                          item["timestamp"])
        for item in report["rejected"]:
            self.log.warning("Rejected %s: %s", item["entry"], item["reason"])
        if not report["collected"]:
            self.log.warning("No submissions of '%s' to collect", self.coursedir.assignment_id)
