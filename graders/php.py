"""Run a learner's PHP script with php-cli as if a browser sent a GET or POST
request, and check what it prints."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Mapping, Sequence, Union
from urllib.parse import urlencode

from .process import DEFAULT_TIMEOUT, MAX_OUTPUT_BYTES, describe_stop, find_program, run_program
from .result import CheckResult, GraderFailure, asserting, check
from .sources import Source, read_source

BOOTSTRAP = Path(__file__).with_name("php_bootstrap.php")
PhpInput = Union[str, "os.PathLike[str]"]

_PHP_SETTINGS = {
    "auto_prepend_file": str(BOOTSTRAP),
    # Errors go to stderr so that they never mix with the page the script prints.
    "display_errors": "stderr",
    "log_errors": "0",
    "html_errors": "0",
    "error_reporting": str(32767),  # E_ALL: beginners learn most from the warnings
    "memory_limit": "128M",
}
_ERROR_LINE = re.compile(
    r"^(?:PHP )?(?P<kind>Parse error|Fatal error|Recoverable fatal error|Warning|Notice|Deprecated)"
    r":\s+(?P<message>.*?)(?: in (?P<path>.+?)(?: on line |:)(?P<line>\d+))?$")
_UNDEFINED_KEY = re.compile(r'Undefined array key "([^"]*)"')


def _form(values: Mapping[str, Any] | None, what: str) -> dict:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise TypeError(f"{what} must be a dict such as {{'nama': 'Budi'}}")
    return {str(key): _form_value(value) for key, value in values.items()}


def _form_value(value: Any) -> Any:
    # A browser sends only text; lists and dicts stand for fields like name="hobi[]".
    if isinstance(value, Mapping):
        return {str(key): _form_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_form_value(item) for item in value]
    return "" if value is None else str(value)


def _describe_request(get: dict, post: dict) -> str:
    parts = [f"GET ?{urlencode(get, doseq=True)}" if get else "",
             f"POST {urlencode(post, doseq=True)}" if post else ""]
    parts = [part for part in parts if part]
    return f" (dengan {' dan '.join(parts)})" if parts else ""


def _run(script: PhpInput, get: Mapping[str, Any] | None, post: Mapping[str, Any] | None,
         method: str | None, timeout: float) -> tuple[str, list[str], str]:
    """Return (output, warnings, request description) or raise GraderFailure."""
    source = read_source(script, "kode PHP kamu")
    php = find_program(("php",), "PHP", "php-cli (paket php-cli)")
    get_values, post_values = _form(get, "get"), _form(post, "post")
    method = (method or ("POST" if post else "GET")).upper()
    request = _describe_request(get_values, post_values)
    with tempfile.TemporaryDirectory(prefix="balaikode-php-") as scratch:
        path = source.path or _write_scratch(source, Path(scratch))
        env = dict(os.environ, BALAIKODE_PHP_REQUEST=json.dumps(
            {"get": get_values, "post": post_values, "method": method, "script": path.name}))
        argv = [php]
        for name, value in _PHP_SETTINGS.items():
            argv += ["-d", f"{name}={value}"]
        outcome = run_program(argv + [str(path)], timeout=timeout, cwd=str(path.parent), env=env)
    stopped = describe_stop(outcome, "PHP", timeout, MAX_OUTPUT_BYTES, request)
    if stopped:
        raise GraderFailure(stopped)
    errors, warnings = _read_errors(outcome.stderr, path, source)
    if errors:
        raise GraderFailure(*errors, *warnings)
    if outcome.returncode == 255:
        raise GraderFailure(f"Kode PHP kamu berhenti karena error{request}.")
    return outcome.stdout, warnings, request


def _write_scratch(source: Source, folder: Path) -> Path:
    path = folder / "kode.php"
    path.write_text(source.text, encoding="utf-8")
    return path


def _read_errors(stderr: str, path: Path, source: Source) -> tuple[list[str], list[str]]:
    errors, warnings = [], []
    for text in stderr.splitlines():
        match = _ERROR_LINE.match(text.strip())
        if not match:
            continue  # stack traces and blank lines: the first line says it all
        kind, message = match["kind"], match["message"].strip()
        where = ""
        if match["line"]:
            file = Path(match["path"] or "")
            # Code given as text has no file name worth showing; a real file or
            # another file it includes does.
            shown = source.name if source.path else None
            if file != path and file.name:
                shown = file.name
            where = f" di baris {match['line']}" + (f" ({shown})" if shown else "")
        if kind == "Parse error":
            errors.append(f"Ada kesalahan penulisan (syntax error){where}: {message}. "
                          f"Periksa titik koma (;), tanda kurung dan tanda kutip di sekitar baris itu.")
        elif "Fatal" in kind:
            errors.append(f"Kode PHP kamu berhenti karena error{where}: {message}.")
        else:
            hint = ""
            key = _UNDEFINED_KEY.search(message)
            if key:
                hint = (f' Data "{key[1]}" tidak dikirim; periksa dulu dengan isset() '
                        f"atau pakai ?? untuk nilai bawaan.")
            warnings.append(f"Peringatan PHP{where}: {message}.{hint}")
    return errors, warnings


@check
def run_php(script: PhpInput, *, get: Mapping[str, Any] | None = None,
            post: Mapping[str, Any] | None = None, method: str | None = None,
            timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    """Run a PHP script (``str`` code or a ``pathlib.Path``) with form data in
    $_GET/$_POST/$_REQUEST and $_SERVER['REQUEST_METHOD'] (POST when ``post``
    is given, else GET). The result's value is what the script printed; PHP
    warnings are in its messages."""
    output, warnings, _ = _run(script, get, post, method, timeout)
    return CheckResult.passed(output, warnings)


def _normalize(text: str) -> str:
    return " ".join(text.split())


@check
def check_php_output(script: PhpInput, contains: str | Sequence[str] = (), *,
                     equals: str | None = None, get: Mapping[str, Any] | None = None,
                     post: Mapping[str, Any] | None = None, method: str | None = None,
                     timeout: float = DEFAULT_TIMEOUT) -> CheckResult:
    """The script's output contains every text in ``contains`` (and is exactly
    ``equals``, if given). Spaces and line breaks are compared loosely."""
    output, warnings, request = _run(script, get, post, method, timeout)
    printed = _normalize(output)
    wanted = [contains] if isinstance(contains, str) else list(contains)
    messages = [f'Output kode PHP kamu{request} belum memuat "{_normalize(text)}".'
                for text in wanted if _normalize(text) not in printed]
    if equals is not None and printed != _normalize(equals):
        messages.append(f'Output kode PHP kamu{request} seharusnya "{_normalize(equals)}".')
    if not messages:
        return CheckResult.passed(output, warnings)
    shown = printed[:300] + ("..." if len(printed) > 300 else "")
    messages.append(f'Output kamu: "{shown}"' if shown else "Kode PHP kamu tidak menampilkan apa-apa.")
    return CheckResult.failed(*messages, *warnings, value=output)


assert_php_output = asserting(check_php_output)
