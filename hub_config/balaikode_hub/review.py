"""/hub/karya/NAME/PATH: look at a learner's work without running any of it.

Admins, and the trainers of a course she learns in, cannot log in to her
server (owner_only.py). This page shows her home folder instead: a listing,
and any file as escaped text. It is read by a short-lived container of the
learner image that runs only the trusted reader below as her Linux user, with
her home mounted read-only, no network and no capabilities; her files are
opened without following links (her symlink to /etc/passwd stays a link) and
nothing she wrote is interpreted. The page itself carries a CSP that allows
no script at all.
"""

from __future__ import annotations

import base64
import html
import json
import re

import docker.errors
import requests
from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join
from tornado import web

from .courses import courses_of, user_uid

MAX_SHOWN = 512 * 1024  # bytes of one file shown; the rest is cut
MAX_ENTRIES = 500
PAGE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src 'none'"
SEGMENT = re.compile(r"^[^/\x00]{1,255}$")

# Runs inside the reader container (python -I: no environment, no user site).
READER = r'''
import base64, errno, json, os, stat, sys
home, parts, limit, max_entries = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
def out(**k): print(json.dumps(k)); sys.exit(0)
try:
    fd = os.open(home, os.O_DIRECTORY | flags)
    for part in parts:
        nfd = os.open(part, flags, dir_fd=fd); os.close(fd); fd = nfd
except OSError as e:
    out(kind="other" if e.errno == errno.ELOOP else "missing", error=e.strerror)
info = os.fstat(fd)
if stat.S_ISDIR(info.st_mode):
    entries = []
    for name in sorted(os.listdir(fd))[:max_entries]:
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            continue
        kind = "dir" if stat.S_ISDIR(st.st_mode) else "file" if stat.S_ISREG(st.st_mode) else "other"
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        entries.append([shown, kind if shown == name else "other", st.st_size])
    out(kind="dir", entries=entries)
if not stat.S_ISREG(info.st_mode):
    out(kind="other")
data = os.read(fd, limit + 1)
out(kind="file", size=info.st_size, data=base64.b64encode(data[:limit]).decode(), cut=len(data) > limit)
'''


def may_review(viewer, learner) -> bool:
    """Admins, and trainers of a course she learns in."""
    if viewer.admin:
        return True
    teaches, _ = courses_of(viewer)
    _, learns = courses_of(learner)
    return bool(set(teaches) & set(learns))


def path_parts(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") or not SEGMENT.match(p) for p in parts):
        raise web.HTTPError(400, "Alamat berkas tidak sah.")
    return parts


def home_volume(spawner) -> str:
    for template, target in spawner.volumes.items():
        bind = target["bind"] if isinstance(target, dict) else target
        if bind.startswith("/home/"):
            return spawner.format_volume_name(template, spawner)
    raise web.HTTPError(404, "Folder rumah peserta ini tidak ditemukan.")


async def read_home(spawner, uid: int, parts: list[str]) -> dict:
    volume = home_volume(spawner)
    try:
        await spawner.docker("inspect_volume", volume)
    except docker.errors.NotFound:
        # Never started: nothing to show. Mounting the name would create a
        # plain volume, and her later start would keep it without a size
        # limit (disks.py leaves volumes from before limits as they are).
        return {"kind": "dir", "entries": []} if not parts else {"kind": "missing"}
    try:
        return await run_reader(spawner, volume, uid, parts)
    except (docker.errors.DockerException, requests.RequestException) as error:
        spawner.log.error("Reading the home of %s failed: %r", spawner.user.name, error)
        raise web.HTTPError(503, "Folder peserta tidak bisa dibaca sekarang. Coba lagi sebentar lagi.")


async def run_reader(spawner, volume: str, uid: int, parts: list[str]) -> dict:
    home = f"/home/{spawner.user.name}"
    client = spawner.client
    host_config = client.create_host_config(
        binds={volume: {"bind": home, "mode": "ro"}},
        network_mode="none", cap_drop=["ALL"], read_only=True, security_opt=["no-new-privileges"],
        mem_limit="128m", pids_limit=32)
    container = await spawner.docker(
        "create_container", image=spawner.image, user=f"{uid}:{uid}", entrypoint=["/opt/venv/bin/python", "-I"],
        command=["-c", READER, home, json.dumps(parts), str(MAX_SHOWN), str(MAX_ENTRIES)],
        host_config=host_config, labels={"balaikode.role": "review"}, network_disabled=True)
    try:
        await spawner.docker("start", container["Id"])
        await spawner.docker("wait", container["Id"], timeout=60)
        output = await spawner.docker("logs", container["Id"], stdout=True, stderr=False)
    finally:
        await spawner.docker("remove_container", container["Id"], force=True)
    try:
        return json.loads(output.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise web.HTTPError(503, "Folder peserta tidak bisa dibaca.")


def render_listing(base: str, parts: list[str], entries: list) -> str:
    rows = []
    if parts:
        rows.append(f'<li><a href="{html.escape(url_path_join(base, *parts[:-1]))}/">..</a></li>')
    for name, kind, size in entries:
        link = url_path_join(base, *parts, name) + ("/" if kind == "dir" else "")
        label = html.escape(name) + ("/" if kind == "dir" else f" ({size} bita)")
        rows.append(f'<li><a href="{html.escape(link)}">{label}</a></li>' if kind != "other"
                    else f"<li>{label} (tautan atau berkas khusus, tidak dibuka)</li>")
    return "<ul>" + "".join(rows) + "</ul>"


def render_file(name: str, reply: dict) -> str:
    data = base64.b64decode(reply["data"])
    if b"\x00" in data[:4096]:
        return f"<p>{html.escape(name)} adalah berkas biner ({reply['size']} bita); tidak ditampilkan.</p>"
    text = data.decode("utf-8", "replace")
    if name.endswith(".ipynb") and not reply["cut"]:
        text = notebook_text(text)
    note = "<p>(Berkas terlalu besar: hanya bagian awal yang ditampilkan.)</p>" if reply["cut"] else ""
    return note + f"<pre>{html.escape(text)}</pre>"


def notebook_text(raw: str) -> str:
    """Cells' source and text outputs, in order; everything else is left out."""
    try:
        cells = json.loads(raw).get("cells", [])
    except (ValueError, AttributeError):
        return raw
    lines = []
    for number, cell in enumerate(cells if isinstance(cells, list) else [], 1):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        lines.append(f"--- sel {number} ({cell.get('cell_type', '?')}) ---")
        lines.append("".join(source) if isinstance(source, list) else str(source))
        for output in cell.get("outputs", []) or []:
            if not isinstance(output, dict):
                continue
            text = output.get("text") or (output.get("data") or {}).get("text/plain", "")
            if text:
                lines.append(">>> " + ("".join(text) if isinstance(text, list) else str(text)))
    return "\n".join(lines)


class ReviewHandler(BaseHandler):
    def set_default_headers(self):
        super().set_default_headers()
        self.set_header("Content-Security-Policy", PAGE_POLICY)
        self.set_header("X-Content-Type-Options", "nosniff")

    @web.authenticated
    async def get(self, name: str, path: str = ""):
        learner = self.find_user(name)
        if learner is None:
            raise web.HTTPError(404, "Pengguna tidak ditemukan.")
        if not may_review(self.current_user, learner):
            raise web.HTTPError(403, "Hanya admin dan pelatih kelasnya yang boleh melihat hasil kerja peserta.")
        parts = path_parts(path)
        reply = await read_home(learner.spawner, user_uid(learner), parts)
        base = url_path_join(self.hub.base_url, "karya", name)
        title = f"Hasil kerja {name}: /{'/'.join(parts)}"
        if reply.get("kind") == "dir":
            body = render_listing(base, parts, reply["entries"])
        elif reply.get("kind") == "file":
            body = render_file(parts[-1], reply)
        elif reply.get("kind") == "other":
            body = "<p>Ini tautan atau berkas khusus; tidak dibuka.</p>"
        else:
            raise web.HTTPError(404, "Berkas tidak ditemukan.")
        self.finish("<!doctype html><html lang=id><meta charset=utf-8>"
                    f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
                    "<p>Hanya baca: isi ditampilkan sebagai teks, tidak ada yang dijalankan.</p>"
                    + body + "</html>")


HANDLERS = [(r"/karya/([^/]+)/?(.*)", ReviewHandler)]
