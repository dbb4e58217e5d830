"""Call a function from a learner's JavaScript with Node.js and check what it returns."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any, Sequence, Union

from .process import DEFAULT_TIMEOUT, MAX_OUTPUT_BYTES, describe_stop, find_program, run_program
from .result import CheckResult, GraderFailure, asserting, check
from .sources import read_source

RUNNER = Path(__file__).with_name("js_runner.js")
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
JsInput = Union[str, "os.PathLike[str]"]


class _Undefined:
    """What a function gives back when it has no ``return``: not the same as null/None."""

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED = _Undefined()


def _show(value: Any) -> str:
    if value is UNDEFINED:
        return "undefined"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 200 else text[:197] + "..."


def _call_text(name: str, args: Sequence[Any]) -> str:
    return f"{name}({', '.join(_show(a) for a in args)})"


def _call_function(code: JsInput, name: str, args: Sequence[Any], timeout: float) -> tuple[Any, str]:
    """Return (value, console output) or raise GraderFailure with the reason."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{name!r} is not a JavaScript function name")
    if not isinstance(args, (list, tuple)):
        raise TypeError("args must be a list of arguments, e.g. [2, 3] or [[1, 2, 3]] for one array")
    source = read_source(code, "kode JavaScript kamu")
    node = find_program(("node", "nodejs"), "JavaScript", "Node.js (paket nodejs)")
    filename = source.path.name if source.path else "kode.js"
    request = {"source": source.text, "filename": filename, "name": name,
               "args": json.dumps(list(args))}
    outcome = run_program(
        [node, "--max-old-space-size=256", str(RUNNER)],
        stdin=json.dumps(request).encode(), timeout=timeout,
        cwd=str(source.path.parent) if source.path else None)
    call = _call_text(name, args)
    if outcome.too_much_output:
        # console.log is captured inside the runner, so only the reply can be this big.
        raise GraderFailure(f"Hasil {call} terlalu besar (lebih dari 1 MB) untuk diperiksa.")
    stopped = describe_stop(outcome, "JavaScript", timeout, MAX_OUTPUT_BYTES)
    if stopped:
        raise GraderFailure(stopped)
    try:
        reply = json.loads(outcome.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError, RecursionError):
        if "out of memory" in outcome.stderr:
            raise GraderFailure(f"{call} memakai terlalu banyak memori, jadi dihentikan. "
                                f"Mungkin ada perulangan yang terus menambah isi array.") from None
        raise GraderFailure(f"Node.js berhenti tiba-tiba saat menjalankan {call} "
                            f"(kode keluar {outcome.returncode}).") from None
    where = source.name
    line = f" di baris {reply['line']}" if reply.get("line") else ""
    status = reply["status"]
    if status == "ok":
        return (UNDEFINED if reply.get("undefined") else reply.get("value")), reply.get("console", "")
    if status == "syntax_error":
        message = (f"Ada kesalahan penulisan (syntax error){line} {where}: {reply['message']}. "
                   f"Periksa tanda kurung, kurung kurawal dan tanda kutip di sekitar baris itu.")
    elif status == "load_error":
        message = f"Ada error saat {where} dijalankan{line}: {reply['message']}."
    elif status == "missing":
        message = (f"Fungsi {name} tidak ditemukan di {where}. Pastikan namanya ditulis persis "
                   f"{name} (huruf besar dan kecil berbeda).")
        if reply.get("available"):
            message += f" Fungsi yang ada: {', '.join(reply['available'])}."
    elif status == "not_function":
        message = f"{name} ada di {where}, tapi bukan fungsi (jenisnya {reply['type']})."
    elif status == "threw":
        message = f"Fungsi {call} error{line}: {reply['message']}."
    elif status == "never_settled":
        message = f"Fungsi {call} mengembalikan Promise yang tidak pernah selesai."
    elif status == "unserializable":
        message = (f"Hasil {call} tidak bisa diperiksa: hasilnya harus data biasa "
                   f"(angka, teks, true/false, null, array atau objek).")
    else:
        message = f"Pemeriksa JavaScript gagal: {reply.get('message', status)}"
    raise GraderFailure(message)


@check
def run_js_function(code: JsInput, name: str, args: Sequence[Any] = (), *,
                    timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    """Call ``name(*args)`` from the learner's JavaScript (``str`` source or a
    ``pathlib.Path``). The result's value is what it returned, through JSON
    (``UNDEFINED`` when it returned nothing)."""
    value, _ = _call_function(code, name, args, timeout)
    return CheckResult.passed(value)


@check
def check_js_function(code: JsInput, name: str, args: Sequence[Any], expected: Any, *,
                      timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    """``name(*args)`` returns ``expected`` (numbers compare with a tiny
    tolerance, so 0.1 + 0.2 equals 0.3; true is not 1)."""
    value, console = _call_function(code, name, args, timeout)
    if values_equal(value, expected):
        return CheckResult.passed(value)
    call = _call_text(name, args)
    if value is UNDEFINED:
        message = (f"Fungsi {call} tidak mengembalikan apa-apa (undefined), padahal seharusnya "
                   f"{_show(expected)}. Apakah kamu lupa menulis return?")
    else:
        message = f"Fungsi {call} seharusnya mengembalikan {_show(expected)}, tapi hasilnya {_show(value)}."
    messages = [message]
    if console.strip():
        shown = console.strip()
        messages.append(f"console.log kamu mencetak: {shown[:300]}{'...' if len(shown) > 300 else ''}")
    return CheckResult.failed(*messages, value=value)


def values_equal(actual: Any, expected: Any) -> bool:
    """JSON values equal the way a JavaScript learner means it."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(actual, (int, float)) and isinstance(expected, (int, float)):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(actual, list) and isinstance(expected, (list, tuple)):
        return len(actual) == len(expected) and all(map(values_equal, actual, expected))
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(values_equal(actual[k], expected[k]) for k in actual)
    return type(actual) is type(expected) and actual == expected


assert_js_function = asserting(check_js_function)
