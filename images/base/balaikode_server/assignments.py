"""The Assignments tab shows Balai Kode's own message when a submission is
refused (e.g. the course exchange is full, balaikode_nbgrader/submit.py),
instead of the Python traceback nbgrader's handler returns for any failure."""

from nbgrader.server_extensions.assignment_list.handlers import AssignmentList

EXCHANGE_ERROR = "ExchangeError: "


def readable_failure(result: dict) -> dict:
    """{"success": False, "value": traceback} -> the ExchangeError's message."""
    text = str(result.get("value") or "").strip()
    last = text.splitlines()[-1] if text else ""
    if not result.get("success") and EXCHANGE_ERROR in last:
        return {**result, "value": last.split(EXCHANGE_ERROR, 1)[1]}
    return result


class FriendlyAssignmentList(AssignmentList):
    def submit_assignment(self, course_id, assignment_id):
        return readable_failure(super().submit_assignment(course_id, assignment_id))


def use_friendly_assignment_list(settings: dict) -> None:
    """Swap nbgrader's manager (made when its extension loaded) for ours."""
    current = settings.get("assignment_list_manager")
    if current is not None and not isinstance(current, FriendlyAssignmentList):
        friendly = FriendlyAssignmentList(parent=current.parent)
        friendly.root_dir = current.root_dir
        settings["assignment_list_manager"] = friendly
