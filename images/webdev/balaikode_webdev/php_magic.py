"""``%%php``: run a notebook cell as PHP (php-cli) and show what it prints.

Loaded into every IPython kernel of the web-dev image
(/opt/venv/etc/ipython/ipython_kernel_config.py), or by hand with
``%load_ext balaikode_webdev.php_magic``::

    %%php
    $nama = "Siti";
    echo "Halo, $nama!";

``<?php`` at the top may be left out. Options:

    %%php --get "hal=2"                      # as if opened with ?hal=2
    %%php --post "nama=Budi&hobi[]=a&hobi[]=b"   # as if a form was sent with POST
    %%php --timeout 5                        # stop after 5 seconds (default 10)

The code runs with graders.run_php (graders/php.py): in a scratch folder, with
the time limit and output limit, and with PHP's errors explained in Bahasa
Indonesia (shown in red, below the output) instead of a Python traceback.
"""

from __future__ import annotations

import sys
from urllib.parse import parse_qs

from IPython.core.magic import Magics, cell_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

DEFAULT_TIMEOUT = 10.0


def form_values(query: str | None) -> dict | None:
    """'nama=Budi&hobi[]=a&hobi[]=b' -> {'nama': 'Budi', 'hobi': ['a', 'b']}."""
    if not query:
        return None
    values: dict = {}
    for key, items in parse_qs(query.strip().strip("\"'"), keep_blank_values=True).items():
        if key.endswith("[]"):
            values[key[:-2]] = items
        else:
            values[key] = items[-1]
    return values


def php_source(cell: str) -> str:
    """The cell as a PHP file: '<?php ' is added (same line, so line numbers
    stay right) when the cell has no PHP tag of its own."""
    if "<?" in cell:
        return cell
    return "<?php " + cell


def run_cell(cell: str, *, get=None, post=None, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Run one cell; print its output (stdout) and problems (stderr). True if it ran."""
    from graders import run_php  # the base image's graders package

    result = run_php(php_source(cell), get=get, post=post, timeout=timeout)
    if result.value:
        sys.stdout.write(result.value if result.value.endswith("\n") else result.value + "\n")
    sys.stdout.flush()
    for message in result.messages:
        print(message, file=sys.stderr)
    return result.ok


@magics_class
class PhpMagics(Magics):
    @magic_arguments()
    @argument("--get", default=None, help="data GET, misalnya nama=Budi&kelas=3")
    @argument("--post", default=None, help="data formulir POST, misalnya nama=Budi")
    @argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
              help="batas waktu dalam detik (bawaan 10)")
    @cell_magic
    def php(self, line: str, cell: str) -> None:
        """Jalankan isi sel sebagai kode PHP dan tampilkan hasilnya."""
        args = parse_argstring(self.php, line)
        run_cell(cell, get=form_values(args.get), post=form_values(args.post),
                 timeout=max(0.5, min(args.timeout, 120.0)))


def load_ipython_extension(ipython) -> None:
    ipython.register_magics(PhpMagics)
