"""Execute one notebook read from stdin; write the executed notebook to stdout.

Runs inside the grading sandbox (no network, no volumes, limits set by the
grader service). Output is capped per cell so that a flood of prints cannot
exhaust memory or the trainer's gradebook; errors stay in the notebook (the
autograder scores them), they do not stop execution of later cells.
"""

import argparse
import sys

import nbformat
from nbclient import NotebookClient

TRUNCATED = "\n... [keluaran dipotong: terlalu panjang] ...\n"


class CappedClient(NotebookClient):
    max_output_chars = 100_000

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "stream":
            used = sum(len(o.get("text", "")) for o in outs if o.get("output_type") == "stream")
            room = self.max_output_chars - used
            if room <= 0:
                return None
            text = msg["content"]["text"]
            if len(text) > room:
                msg["content"]["text"] = text[:room] + TRUNCATED
        return super().output(outs, msg, display_id, cell_index)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cell-timeout", type=int, default=30)
    parser.add_argument("--kernel", default="python3")
    args = parser.parse_args()
    nb = nbformat.reads(sys.stdin.read(), as_version=4)
    client = CappedClient(nb, timeout=args.cell_timeout, kernel_name=args.kernel,
                          allow_errors=True, interrupt_on_timeout=True,
                          record_timing=False, resources={"metadata": {"path": "/tmp"}})
    client.execute()
    sys.stdout.write(nbformat.writes(nb))


if __name__ == "__main__":
    main()
