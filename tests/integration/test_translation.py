"""The built learner image's translations: nbgrader's table covers every text
the installed nbgrader can show (this fails when an upgraded nbgrader brings
a text the table lacks, instead of a learner meeting it in English), and
JupyterLab's Indonesian has Balai Kode's additions and corrections."""

from __future__ import annotations

import subprocess

from support.curriculum import compose_image

LAB_CHECK = """
import gettext, os, jupyterlab_language_pack_id_ID as pack
t = gettext.translation("jupyterlab", os.path.join(os.path.dirname(pack.__file__), "locale"), ["id_ID"])
print(t.pgettext("menu", "File"), "|", t.gettext("Restart the kernel"), "|",
      t.gettext("Reload %1 from Disk"), "|", t.pgettext("schema", "Code Console"))
"""


def in_image(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", "run", "--rm", "--network", "none", "--entrypoint", "python3",
                           compose_image("python"), *command],
                          capture_output=True, text=True, timeout=300)


def test_every_text_of_the_installed_nbgrader_is_translated():
    result = in_image("-m", "balaikode_i18n.nbgrader_strings")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every nbgrader text is translated" in result.stdout


def test_jupyterlabs_indonesian_has_the_menus_and_reads_naturally():
    result = in_image("-c", LAB_CHECK)
    assert result.returncode == 0, result.stderr
    # The menu bar, a corrected machine-literal text, and one of the pack's own kept.
    assert result.stdout.split(" | ") == ["Berkas", "Mulai ulang kernel", "Muat ulang %1 dari disk",
                                          "Konsol Kode\n"]
