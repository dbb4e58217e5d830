# nbgrader settings for every Balai Kode server (/etc/jupyter/nbgrader_config.py).
# Each course has its own exchange volume at /srv/nbgrader/exchange/COURSE,
# mounted only into the servers of that course's learners and trainers.
import os

from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, GetGrades,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from traitlets.config import Config

c = get_config()  # noqa: F821
c.Exchange.root = "/srv/nbgrader/exchange"
# Feedback and the formgrader render learners' notebooks to HTML: strip any
# script a submission's output carries (see jupyter_server_config.py too).
c.HTMLExporter.sanitize_html = True
# ...and clean markdown too, which nbgrader's templates render uncleaned.
c.HTMLExporter.preprocessors = ["balaikode_nbgrader.sanitize.SanitizeNotebook"]
# A learner in two courses gets COURSE/ASSIGNMENT folders, never a clash.
c.Exchange.path_includes_course = True
# nbgrader's own record of what this user submitted, in her home: the
# default, $JUPYTER_DATA_DIR, is a root-owned folder her server cannot write
# (so it loads nothing she wrote, docs/security.md).
c.Exchange.cache = os.path.expanduser("~/.local/share/jupyter/nbgrader_cache")

# Submissions readable only by their author and the course's trainers.
c.ExchangeFactory.submit = "balaikode_nbgrader.submit.PrivateSubmit"
# A learner's server without the exchange mounted (swarm mode) reads it
# through the grader service.
if os.environ.get("BALAIKODE_EXCHANGE") == "service":
    c.ExchangeFactory.list = "balaikode_nbgrader.exchange_service.ServiceList"
    c.ExchangeFactory.fetch_assignment = "balaikode_nbgrader.exchange_service.ServiceFetchAssignment"
    c.ExchangeFactory.fetch_feedback = "balaikode_nbgrader.exchange_service.ServiceFetchFeedback"
    c.ExchangeFactory.submit = "balaikode_nbgrader.exchange_service.ServiceSubmit"

# A trainer may teach several courses: `nbgrader` works on the course folder
# it runs in, else on the first course taught; each course's formgrader sets
# its own (balaikode_nbgrader/teaching.py).
from balaikode_nbgrader.teaching import course_settings, default_course

course = default_course()
if os.environ.get("BALAIKODE_ROLE") == "trainer" and course:
    from balaikode_nbgrader.collect import ServiceCollect
    from balaikode_nbgrader.feedback import HideHiddenTests
    from balaikode_nbgrader.sandbox_client import SandboxExecute

    # The course volume is at /srv/nbgrader/courses/COURSE; the formgrader
    # insists the course sits inside the server's root folder, so the root is
    # the ~/kursus/COURSE link that start-learner makes.
    c.merge(Config(course_settings(course)))
    # Several trainers share the course folder through the course's group.
    c.CourseDirectory.groupshared = True
    # Released notebooks tell learners in Indonesian where to write.
    c.ClearSolutions.code_stub = {
        "python": "# TULIS KODEMU DI SINI\nraise NotImplementedError()",
        "javascript": "// TULIS KODEMU DI SINI\nthrow new Error('belum dikerjakan');",
        "typescript": "// TULIS KODEMU DI SINI\nthrow new Error('belum dikerjakan');",
    }
    c.ClearSolutions.text_stub = "TULIS JAWABANMU DI SINI"
    # Submissions run in the grader service's sandbox, never here.
    c.Autograde.autograde_preprocessors = [
        SandboxExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
        SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
    ]
    c.ExchangeFactory.collect = ServiceCollect
    # The CSV export carries learners' full names (balaikode_nbgrader/roster.py;
    # course_settings updates them before autograde too).
    from balaikode_nbgrader import roster
    c.ExportApp.plugin_class = roster.named_csv_export()
    # Time limits of autograding, set by the admin (docker-compose.yml).
    c.SandboxExecute.cell_timeout = int(os.environ.get("BALAIKODE_GRADING_CELL_TIMEOUT", "30"))
    c.SandboxExecute.notebook_timeout = int(os.environ.get("BALAIKODE_GRADING_NOTEBOOK_TIMEOUT", "300"))
    # Learners' notebooks sent at once (the grader allows this many per trainer).
    c.SandboxExecute.parallel = int(os.environ.get("BALAIKODE_SANDBOX_PARALLEL", "2"))
    from balaikode_nbgrader.sanitize import SanitizeNotebook
    c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, SanitizeNotebook,
                                        CSSHTMLHeaderPreprocessor]
    # Feedback pages in the site's language (nbgrader writes them in
    # English), saying their language and with readable contrast.
    from balaikode_nbgrader.feedback_page import AccessibleFeedbackExporter
    c.GenerateFeedback.exporter_class = AccessibleFeedbackExporter
