"""The hub's pages in Bahasa Indonesia (default) or English.

How the language of a page is chosen, for each request:

1. the ``balaikode_lang`` cookie (``id`` or ``en``), set by the
   "English" / "Bahasa Indonesia" link at the top of every page
   (templates/page.html: a few lines of JavaScript set the cookie for a year
   and load the page again);
2. otherwise the site setting ``BALAIKODE_LANGUAGE`` (default ``id``).

The browser's Accept-Language is deliberately not used: donated and loaned
laptops often have an English browser while their user reads only Bahasa
Indonesia, so the site's choice is the better default.

How it reaches the templates (JupyterHub 5.5.4 has no per-request hook for
template variables; ``template_vars`` callables only receive the user):

- ``c.JupyterHub.jinja_environment_options`` loads ``LanguageExtension`` into
  both of JupyterHub's Jinja environments (async pages and sync error pages).
  It adds the globals ``tr(key, **values)``, ``page_language()``,
  ``language_name(code)``, ``error_text(kind, status_code)`` and the filters
  ``msg`` (a known server message, such as auth.py's, in the page's language)
  and ``expiry_options`` (the token page's ``<option>`` labels).
- These functions take the Jinja context. Every JupyterHub page's context has
  ``static_url``, the handler's bound ``static_url`` method: its ``__self__``
  is the request handler, which gives the cookie. Without a handler (unit
  tests rendering a template alone) the site default is used.
- ``c.JupyterHub.template_vars`` carries the site default
  (``balaikode_language``), the minimum password length the sign-up page
  mentions and the admin names (the approval list marks them).

Every text is in ``TEXTS`` below as (Bahasa Indonesia, English); a template
asking for a key that is missing fails loudly (tests/unit/test_language.py
renders every template in both languages).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any

from jinja2 import pass_context
from jinja2.ext import Extension
from markupsafe import Markup, escape
from traitlets.config import Config

from balaikode.settings import LANGUAGES

COOKIE = "balaikode_lang"
SITE_LANGUAGE_VAR = "balaikode_language"
MIN_PASSWORD_VAR = "balaikode_min_password_length"
ADMIN_USERS_VAR = "balaikode_admin_users"
LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}

# key: (Bahasa Indonesia, English). Keys ending in _html are HTML; the values
# filled into them are escaped.
TEXTS: dict[str, tuple[str, str]] = {
    # -- every page (page.html) --
    "page.description": ("Balai Kode: belajar membuat program di peramban",
                         "Balai Kode: learn to code in your browser"),
    "page.noscript": (
        "Balai Kode memerlukan JavaScript. Nyalakan JavaScript di peramban Anda, "
        "lalu muat ulang halaman ini.",
        "Balai Kode needs JavaScript. Turn it on in your browser, then reload this page."),
    "nav.label": ("Menu utama", "Main menu"),
    "nav.logo_alt": ("Balai Kode, ke beranda", "Balai Kode, go to the home page"),
    "nav.toggle": ("Buka atau tutup menu", "Open or close the menu"),
    "nav.home": ("Beranda", "Home"),
    "nav.token": ("Token", "Token"),
    "nav.admin": ("Admin", "Admin"),
    "nav.services": ("Layanan", "Services"),
    "nav.change_password": ("Kata sandi", "Password"),
    "nav.authorize": ("Persetujuan", "Approvals"),
    "nav.dark_mode": ("Tampilan terang atau gelap", "Light or dark display"),
    "nav.logout": ("Keluar", "Log out"),
    "nav.login": ("Masuk", "Log in"),
    "nav.language": ("Ganti bahasa", "Change language"),
    "dialog.close": ("Tutup", "Close"),
    "dialog.error_title": ("Ada masalah", "Error"),
    "dialog.error_body": ("Ada masalah. Coba lagi sebentar lagi.",
                          "Something went wrong. Please try again in a moment."),
    "dialog.ok": ("OK", "OK"),
    "common.yes": ("Ya", "Yes"),
    "common.no": ("Tidak", "No"),
    "time.never": ("Belum pernah", "Never"),
    "time.no_expiry": ("Tidak berakhir", "Never"),
    # -- forms --
    "form.username": ("Nama pengguna", "User name"),
    "form.password": ("Kata sandi", "Password"),
    "form.email": ("Email", "Email"),
    "form.show": ("Tampilkan", "Show"),
    "form.hide": ("Sembunyikan", "Hide"),
    "form.show_password": ("Tampilkan kata sandi", "Show password"),
    "form.hide_password": ("Sembunyikan kata sandi", "Hide password"),
    "form.show_passwords": ("Tampilkan kata sandi", "Show passwords"),
    "form.hide_passwords": ("Sembunyikan kata sandi", "Hide passwords"),
    # -- login (native-login.html, login.html) --
    "login.title": ("Masuk", "Sign in"),
    "login.welcome": (
        "Selamat datang di Balai Kode! Ketik nama pengguna dan kata sandi Anda, "
        "lalu tekan Masuk.",
        "Welcome to Balai Kode! Type your user name and password, then press Sign in."),
    "login.submit": ("Masuk", "Sign in"),
    "login.no_account": ("Belum punya akun?", "No account yet?"),
    "login.signup_link": ("Daftar di sini", "Sign up here"),
    "login.2fa": ("Kode 2FA", "2FA code"),
    "login.2fa_help": ("Kosongkan jika Anda tidak memakai 2FA.",
                       "Leave it empty if you do not use 2FA."),
    "login.insecure": (
        "Sambungan ke server ini belum dienkripsi (http). Pakai kata sandi khusus "
        "untuk Balai Kode, jangan kata sandi email atau akun lain Anda.",
        "The connection to this server is not encrypted (http). Use a password "
        "just for Balai Kode, not the one of your e-mail or other accounts."),
    "login.with_service": ("Masuk dengan {service}", "Sign in with {service}"),
    "login.terms_html": (
        'Dengan masuk, Anda menyetujui <a href="{url}">syarat dan ketentuan</a>.',
        'By signing in you accept the <a href="{url}">terms and conditions</a>.'),
    # -- sign-up (signup.html) --
    "signup.title": ("Daftar", "Sign up"),
    "signup.intro": (
        "Buat akun Balai Kode Anda. Setelah mendaftar, tunggu sampai admin atau "
        "pelatih menyetujui akun Anda, lalu masuk.",
        "Create your Balai Kode account. After signing up, wait until the admin or "
        "your trainer approves it, then sign in."),
    "signup.username_help": (
        "2–32 karakter: huruf kecil a–z, angka, titik (.), garis bawah (_) atau "
        "tanda hubung (-), diawali huruf. Contoh: siti.rahma",
        "2–32 characters: lower-case letters a–z, digits, dot (.), underscore (_) "
        "or hyphen (-), starting with a letter. Example: siti.rahma"),
    "signup.password_help": (
        "Minimal {minimum} karakter. Jangan pakai kata sandi yang mudah ditebak, "
        "seperti 12345678.",
        "At least {minimum} characters. Do not use an easy one such as 12345678."),
    "signup.password_confirm": ("Ulangi kata sandi", "Repeat the password"),
    "signup.2fa": ("Pakai verifikasi dua langkah (2FA)", "Set up two-factor authentication (2FA)"),
    "signup.2fa_code_html": (
        "<strong>Perhatian!</strong> Anda memakai verifikasi dua langkah. "
        "Kode 2FA Anda: <strong>{code}</strong>.",
        "<strong>Attention!</strong> You set up two-factor authentication. "
        "Your 2FA code is <strong>{code}</strong>."),
    "signup.submit": ("Daftar", "Create account"),
    "signup.go_login": ("Ke halaman Masuk", "Go to the sign-in page"),
    "signup.have_account": ("Sudah punya akun?", "Already have an account?"),
    "signup.login_link": ("Masuk di sini", "Sign in here"),
    # -- approval list (authorization-area.html) --
    "authorize.title": ("Persetujuan akun", "Approve accounts"),
    "authorize.intro": (
        "Akun baru baru bisa dipakai setelah disetujui. Tekan Setujui di samping "
        "nama orang yang Anda kenal.",
        "New accounts can only sign in once approved. Press Approve next to the "
        "names of people you know."),
    "authorize.waiting_count": ("Menunggu persetujuan: {count}.", "Waiting for approval: {count}."),
    "authorize.none_waiting": ("Tidak ada yang menunggu persetujuan.",
                               "Nobody is waiting for approval."),
    "authorize.caption": ("Daftar akun dan status persetujuannya",
                          "Accounts and their approval"),
    "authorize.has_2fa": ("2FA", "2FA"),
    "authorize.status": ("Status", "Status"),
    "authorize.approval": ("Persetujuan", "Approval"),
    "authorize.password": ("Kata sandi", "Password"),
    "authorize.discard_col": ("Hapus", "Discard"),
    "authorize.approved": ("Disetujui", "Approved"),
    "authorize.admin": ("Admin: selalu disetujui", "Admin: always approved"),
    "authorize.waiting": ("Menunggu persetujuan", "Waiting for approval"),
    "authorize.approve": ("Setujui", "Approve"),
    "authorize.unapprove": ("Batalkan persetujuan", "Withdraw approval"),
    "authorize.change_password": ("Ganti kata sandi", "Change password"),
    "authorize.discard": ("Hapus pendaftaran", "Discard sign-up"),
    "authorize.discard_confirm": ("Hapus pendaftaran {name}? Orang ini harus mendaftar lagi.",
                                  "Discard the sign-up of {name}? They will have to sign up again."),
    "authorize.cli_hint": (
        "Di server, perintah ./balaikode signups menampilkan daftar yang sama, "
        "dan ./balaikode approve NAMA menyetujui.",
        "On the server, ./balaikode signups shows the same list and "
        "./balaikode approve NAME approves."),
    # -- change password --
    "cp.nav": ("Ganti kata sandi", "Change password"),
    "cp.title": ("Ganti kata sandi {name}", "Change the password of {name}"),
    "cp.intro": (
        "Ketik kata sandi Anda yang sekarang, lalu kata sandi baru dua kali. "
        "Lupa kata sandi? Minta admin atau pelatih untuk menggantinya.",
        "Type your current password, then the new one twice. Forgot your "
        "password? Ask the admin or your trainer to reset it."),
    "cp.admin_intro": (
        "Ketik kata sandi baru untuk {name} dua kali, lalu beri tahu {name} "
        "kata sandi barunya.",
        "Type the new password for {name} twice, then tell {name} the new password."),
    "cp.old": ("Kata sandi sekarang", "Current password"),
    "cp.new": ("Kata sandi baru", "New password"),
    "cp.confirm": ("Ulangi kata sandi baru", "Repeat the new password"),
    "cp.submit": ("Ganti kata sandi", "Change password"),
    "cp.back_to_authorize": ("Kembali ke Persetujuan akun", "Back to Approve accounts"),
    "message.login_html": (
        'Jika akun Anda sudah disetujui, silakan <a href="{url}">masuk</a>.',
        'If your account is approved, you can <a href="{url}">sign in</a>.'),
    # -- home --
    "home.heading": ("Beranda Balai Kode", "Balai Kode home page"),
    "home.hello": ("Halo, {name}!", "Hello, {name}!"),
    "home.running": (
        "Ruang kerja Anda sedang berjalan. Tekan Buka ruang kerja untuk lanjut belajar.",
        "Your workspace is running. Press Open my workspace to carry on."),
    "home.stopped": (
        "Tekan Mulai untuk membuka ruang kerja Anda (JupyterLab). Semua berkas Anda tersimpan.",
        "Press Start to open your workspace (JupyterLab). All your files are kept."),
    "home.start": ("Mulai", "Start"),
    "home.open": ("Buka ruang kerja", "Open my workspace"),
    "home.stop": ("Hentikan ruang kerja", "Stop my workspace"),
    "home.stopping": ("Ruang kerja sedang dihentikan", "Your workspace is stopping"),
    "home.named": ("Server bernama", "Named servers"),
    "home.named_intro": (
        "Selain server utama, Anda bisa membuat server lain yang diberi nama, "
        "supaya beberapa server berjalan bersamaan.",
        "Besides your default server you can have more servers with names, "
        "so that several run at the same time."),
    "home.server_name": ("Nama server", "Server name"),
    "home.server_name_placeholder": ("nama-server", "name-your-server"),
    "home.add_server": ("Tambah server", "Add new server"),
    "home.last_activity": ("Terakhir aktif", "Last activity"),
    "home.actions": ("Tindakan", "Actions"),
    "home.row_stop": ("hentikan", "stop"),
    "home.row_start": ("mulai", "start"),
    "home.row_delete": ("hapus", "delete"),
    # -- token --
    "token.title": ("Token API", "API tokens"),
    "token.intro": (
        "Token API dipakai program atau skrip untuk masuk atas nama Anda. "
        "Kebanyakan pelajar tidak memerlukannya.",
        "API tokens let programs and scripts act as you. Most learners do not need one."),
    "token.note": ("Catatan", "Note"),
    "token.note_placeholder": ("catatan untuk mengenali token baru", "note to identify your new token"),
    "token.note_help": ("Catatan ini membantu Anda mengingat untuk apa token ini.",
                        "This note helps you remember what the token is for."),
    "token.expires": ("Token berlaku selama", "Token expires in"),
    "token.expires_help": ("Anda bisa mengatur kapan token berakhir.",
                           "You can choose when the token expires."),
    "token.scopes": ("Izin", "Permissions"),
    "token.scopes_placeholder": ("daftar izin (scope), dipisah spasi",
                                 "list of scopes, separated by spaces"),
    "token.scopes_help_html": (
        'Anda bisa membatasi izin token. Jika kosong, token boleh melakukan semua '
        'yang boleh Anda lakukan. Daftar izin ada di <a href="{url}">dokumentasi JupyterHub</a>.',
        'You can limit what the token may do. If empty, it may do everything you can. '
        'See the <a href="{url}">JupyterHub documentation for the available scopes</a>.'),
    "token.request": ("Buat token API baru", "Request new API token"),
    "token.new": ("Token API baru Anda", "Your new API token"),
    "token.copy": (
        "Salin token ini sekarang. Token ini tidak akan ditampilkan lagi, tetapi "
        "Anda selalu bisa membuat yang baru di sini.",
        "Copy this token now. You will not see it again, but you can always "
        "come back here for a new one."),
    "token.api_tokens": ("Token API", "API tokens"),
    "token.api_tokens_intro": (
        "Token berikut punya akses ke API JupyterHub. Jika Anda mencabut token "
        "milik server yang sedang berjalan, server itu perlu dimulai ulang.",
        "These tokens have access to the JupyterHub API. Revoking the token of a "
        "running server means restarting that server."),
    "token.last_used": ("Terakhir dipakai", "Last used"),
    "token.created": ("Dibuat", "Created"),
    "token.expires_col": ("Berakhir", "Expires"),
    "token.scopes_summary": ("izin", "scopes"),
    "token.revoke": ("cabut", "revoke"),
    "token.apps": ("Aplikasi yang diizinkan", "Authorized applications"),
    "token.apps_intro": (
        "Aplikasi ini memakai OAuth untuk mengenali Anda (biasanya server "
        "notebook Anda). Token OAuth umumnya hanya bisa mengenali Anda, tidak "
        "bertindak atas nama Anda.",
        "These applications use OAuth to identify you (mostly notebook servers). "
        "OAuth tokens can generally only identify you, not act on your behalf."),
    "token.app": ("Aplikasi", "Application"),
    "token.first_authorized": ("Pertama diizinkan", "First authorized"),
    # -- server starting / stopping / not running --
    "spawn.title": ("Menyiapkan ruang kerja", "Starting your server"),
    "spawn.starting": ("Ruang kerja Anda sedang disiapkan…", "Your server is starting up…"),
    "spawn.redirect": (
        "Tunggu sebentar. Begitu siap, JupyterLab terbuka sendiri; biasanya "
        "kurang dari satu menit.",
        "Please wait. JupyterLab opens by itself when it is ready, usually in "
        "less than a minute."),
    "spawn.progress_label": ("Kemajuan persiapan", "Start-up progress"),
    "spawn.complete": ("selesai", "complete"),
    "spawn.event_log": ("Catatan proses", "Event log"),
    "spawn.failed": (
        "Ruang kerja Anda gagal disiapkan. Berkas Anda tetap aman. Coba lagi dari "
        "beranda; jika tetap gagal, beri tahu pelatih atau admin.",
        "Your server could not start. Your files are safe. Try again from the "
        "home page; if it keeps failing, tell your trainer or the admin."),
    "spawn.failed_home": ("Ke beranda", "Go to the home page"),
    "spawn.msg.requested": ("Permintaan diterima", "Server requested"),
    "spawn.msg.spawning": ("Menyalakan server…", "Spawning server..."),
    "spawn.msg.ready": ("Server siap di ", "Server ready at "),
    "spawn.msg.failed": ("Gagal menyiapkan server: ", "Spawn failed: "),
    "spawn.msg.cancelled": ("Persiapan dibatalkan", "Spawn cancelled"),
    "stop.title": ("Ruang kerja Anda sedang dihentikan", "Your server is stopping"),
    "stop.wait": (
        "Anda bisa memulainya lagi setelah berhenti. Halaman ini dimuat ulang sendiri.",
        "You can start it again once it has stopped. This page reloads by itself."),
    "stop.refresh": ("Muat ulang", "Refresh"),
    "nr.title": ("Ruang kerja Anda belum berjalan", "Server not running"),
    "nr.failed_title": ("Ruang kerja gagal dimulai", "Spawn failed"),
    "nr.text": ("Ruang kerja Anda sedang tidak berjalan. Berkas Anda tetap tersimpan.",
                "Your server is not running. Your files are kept."),
    "nr.implicit": (
        "Ruang kerja dimulai otomatis. Jika halaman tidak berpindah dalam beberapa "
        "detik, tekan tombol di bawah.",
        "It will be started automatically. If you are not redirected in a few "
        "seconds, press the button below."),
    "nr.ask_start": ("Tekan tombol di bawah untuk memulainya.", "Press the button below to start it."),
    "nr.failed_text": ("Percobaan terakhir untuk memulai ruang kerja Anda gagal.",
                       "The latest attempt to start your server has failed."),
    "nr.retry": (
        "Coba mulai lagi dengan tombol di bawah. Jika tetap gagal, beri tahu pelatih atau admin.",
        "Try again with the button below. If it keeps failing, tell your trainer or the admin."),
    "nr.launch": ("Mulai ruang kerja", "Launch server"),
    "nr.relaunch": ("Coba mulai lagi", "Relaunch server"),
    "spawnform.title": ("Pilihan server", "Server options"),
    "spawnform.for_user": ("Menyiapkan server untuk {name}", "Starting a server for {name}"),
    "spawnform.error": ("Kesalahan: {message}", "Error: {message}"),
    "spawnform.start": ("Mulai", "Start"),
    # -- logout --
    "logout.title": ("Anda sudah keluar", "You are logged out"),
    "logout.text": ("Sampai jumpa lagi! Berkas Anda tetap tersimpan.",
                    "See you again! Your files are kept."),
    "logout.login_again": ("Masuk lagi", "Sign in again"),
    # -- errors (error.html, 404.html); error_text() picks by status code --
    "error.code": ("Kode kesalahan: {code}", "Error code: {code}"),
    "error.home": ("Ke beranda", "Go to the home page"),
    "error.title.400": ("Permintaan tidak bisa diproses", "The request could not be handled"),
    "error.next.400": ("Periksa isian Anda, lalu coba lagi.", "Check what you typed, then try again."),
    "error.title.403": ("Anda tidak punya akses ke halaman ini", "You do not have access to this page"),
    "error.next.403": (
        "Kembali ke beranda. Jika Anda memerlukan halaman ini, minta bantuan pelatih atau admin.",
        "Go back to the home page. If you need this page, ask your trainer or the admin."),
    "error.title.404": ("Halaman tidak ditemukan", "Page not found"),
    "error.next.404": ("Periksa alamatnya, atau kembali ke beranda.",
                       "Check the address, or go back to the home page."),
    "error.title.405": ("Permintaan tidak bisa diproses", "The request could not be handled"),
    "error.next.405": ("Kembali ke beranda, lalu coba lagi.", "Go back to the home page and try again."),
    "error.title.429": ("Terlalu banyak percobaan", "Too many attempts"),
    "error.next.429": ("Tunggu sebentar, lalu coba lagi.", "Wait a moment, then try again."),
    "error.title.500": ("Terjadi kesalahan di server", "Something went wrong on the server"),
    "error.next.500": (
        "Muat ulang halaman ini sebentar lagi. Jika masih terjadi, beri tahu admin Balai Kode.",
        "Reload this page in a moment. If it happens again, tell the Balai Kode admin."),
    "error.title.502": ("Ruang kerja Anda tidak menjawab", "Your server is not answering"),
    "error.next.502": (
        "Tunggu sebentar, lalu muat ulang halaman. Jika masih terjadi, hentikan dan "
        "mulai lagi ruang kerja Anda dari beranda.",
        "Wait a moment, then reload the page. If it happens again, stop and start "
        "your server from the home page."),
    "error.title.503": ("Layanan sedang tidak tersedia", "Service unavailable"),
    "error.next.503": (
        "Server mungkin sedang sibuk atau dimulai ulang. Tunggu sebentar, lalu muat ulang halaman.",
        "The server may be busy or restarting. Wait a moment, then reload the page."),
    "error.title.other": ("Terjadi kesalahan", "Something went wrong"),
    "error.next.other": (
        "Kembali ke beranda dan coba lagi. Jika masih terjadi, beri tahu pelatih atau admin.",
        "Go back to the home page and try again. If it happens again, tell your trainer or the admin."),
    # -- OAuth and sharing --
    "oauth.title": ("Izinkan akses", "Authorize access"),
    "oauth.lead": (
        "Sebuah aplikasi meminta izin memakai data akun Balai Kode Anda.",
        "An application is requesting access to data of your account."),
    "oauth.identify": ("{app} (alamat OAuth: {url}) ingin mengenali Anda.",
                       "{app} (oauth URL: {url}) would like permission to identify you."),
    "oauth.no_actions": ("Aplikasi ini tidak bisa bertindak atas nama Anda.",
                         "It will not be able to take actions on your behalf."),
    "oauth.grants": ("Aplikasi ini akan mendapat izin untuk:",
                     "This will grant the application permission to:"),
    "oauth.required": ("Izin ini wajib", "This authorization is required"),
    "oauth.applies_to": ("Berlaku untuk {filter}.", "Applies to {filter}."),
    "oauth.authorize": ("Izinkan", "Authorize"),
    "share.title": ("Terima undangan berbagi", "Accept sharing invitation"),
    "share.lead_html": (
        'Anda ({user}) diundang untuk membuka server milik {owner}{server} di '
        '<a href="{url}">{url}</a>.',
        'You ({user}) have been invited to access the server of {owner}{server} at '
        '<a href="{url}">{url}</a>.'),
    "share.not_running": (
        "Server di {url} sedang tidak berjalan. Setelah menerima undangan, Anda "
        "mungkin perlu meminta {owner} untuk memulainya.",
        "The server at {url} is not running. After accepting, you may need to ask "
        "{owner} to start it."),
    "share.grants": (
        "Dengan menerima undangan, Anda mendapat izin berikut, hanya untuk server ini:",
        "By accepting the invitation you get these permissions, for this server only:"),
    "share.accept": ("Terima undangan", "Accept invitation"),
    "share.next_html": ('Setelah itu Anda dibawa ke <a href="{url}">{url}</a>.',
                        'Afterwards you will be taken to <a href="{url}">{url}</a>.'),
}

ERROR_STATUS_CODES = sorted({int(key.rsplit(".", 1)[1]) for key in TEXTS
                             if key.startswith("error.title.") and key[-1].isdigit()})

# The token page's expiry <option> labels, made by JupyterHub in English.
EXPIRY_LABELS = {
    "1 Hour": "1 jam", "1 Day": "1 hari", "1 Week": "1 minggu", "1 Month": "1 bulan",
    "1 Year": "1 tahun", "Never": "Tidak berakhir",
}

# Messages that Python code puts into pages, as (Bahasa Indonesia, English)
# format strings; `msg` shows the one of the page's language. auth.py's own
# messages are added from its constants (auth_messages()), so they never
# drift apart. The rest are NativeAuthenticator 1.3.0's and JupyterHub
# 5.5.4's (English), and auth.py's literal error texts.
OTHER_MESSAGES: list[tuple[str, str]] = [
    ("Tidak ada pendaftar bernama {slug}.", "There is no sign-up named {slug}."),
    ("Akun admin selalu disetujui dan tidak bisa dinonaktifkan.",
     "Admin accounts are always approved and cannot be switched off."),
    # NativeAuthenticator: change password, by the user and by an admin
    ("Kata sandi sekarang salah. Silakan coba lagi.",
     "Your current password was incorrect. Please try again."),
    ("Kata sandi baru dan ulangi kata sandi tidak sama. Silakan ketik ulang.",
     "Your new password didn't match the confirmation. Please try again."),
    ("Kata sandi baru dan ulangi kata sandi tidak sama. Silakan ketik ulang.",
     "The new password didn't match the confirmation. Please try again."),
    ("Kata sandi Anda sudah diganti.", "Your password has been changed successfully!"),
    ("Kata sandi {user_name} sudah diganti.",
     "The password for {user_name} has been changed successfully"),
    ("Kata sandi baru terlalu lemah: minimal {minimum} karakter dan bukan kata sandi yang umum.",
     "Something went wrong!\nBe sure your new password has at least {minimum} characters "
     "and is not too common."),
    ("Kata sandi baru terlalu lemah: jangan pakai kata sandi yang umum.",
     "Something went wrong!\nBe sure your new password is not too common."),
    ("Kata sandi baru untuk {user_name} terlalu lemah: minimal {minimum} karakter dan bukan "
     "kata sandi yang umum.",
     "Something went wrong!\nBe sure the new password for {user_name} has at least {minimum} "
     "characters and is not too common."),
    ("Kata sandi baru untuk {user_name} terlalu lemah: jangan pakai kata sandi yang umum.",
     "Something went wrong!\nBe sure the new password for {user_name} is not too common."),
    # NativeAuthenticator: e-mail approval links (not enabled in Balai Kode)
    ("Alamat tidak valid", "Invalid URL"),
    ("{username} sudah disetujui!", "{username} has been authorized!"),
    ("{username} memang sudah disetujui.", "{username} was already authorized."),
    ("Nama pengguna atau kata sandi salah.", "Invalid username or password."),
    # JupyterHub
    ("Gagal menghubungi ruang kerja Anda. Coba lagi nanti; jika masih terjadi, beri tahu admin.",
     "Failed to reach your server.  Please try again later.  Contact admin if the issue persists."),
    ("Percobaan terakhir memulai ruang kerja Anda gagal. Jika masih terjadi, beri tahu admin.",
     "Failed to start your server on the last attempt.    Please contact admin if the issue "
     "persists."),
    ("Anda tidak punya izin untuk ini (perlu salah satu dari [{scopes}]).",
     "Action is not authorized with current scopes; requires any of [{scopes}]"),
    ("Tidak ada akses, atau tidak ditemukan.", "No access to resources or resources not found"),
    ("Tidak ada pengguna bernama {name}", "No such user: {name}"),
    ("Tidak ada pengguna bernama {name}", "No such user {name}"),
    ("Percobaan terakhir memulai ruang kerja gagal: {error}", "Spawn failed: {error}"),
]


def auth_messages() -> list[tuple[str, str]]:
    """auth.py's messages (Bahasa Indonesia) with their English."""
    from . import auth  # the hub's modules; imported late to keep this one light

    return [
        (auth.MSG_BAD_USERNAME,
         "This user name cannot be used. The rule: 2–32 characters: lower-case "
         "letters a–z, digits, dot (.), underscore (_) or hyphen (-), starting "
         "with a letter."),
        (auth.MSG_TAKEN, "This user name is already taken. Please choose another one."),
        (auth.MSG_MISMATCH,
         "The password and the repeated password are not the same. Please type them again."),
        (auth.MSG_SIGNUP_DONE,
         "Sign-up done. Your account is waiting for the admin's approval; once it is "
         "approved, sign in with this user name and password."),
        (auth.MSG_WRONG_LOGIN, "Wrong user name or password. Check them and try again."),
        (auth.MSG_NOT_APPROVED,
         "The account {name} has not been approved by the admin yet. Contact your "
         "trainer or the Balai Kode admin, then sign in again once it is approved."),
        (auth.MSG_MISSING_FIELDS, "Fill in your user name and password."),
        (auth.MSG_FORM_EXPIRED, "The sign-in form has expired. Fill it in and press Sign in once more."),
        (auth.weak_password_message("{minimum}"),
         "The password is too weak: use at least {minimum} characters, and not a "
         "common password (such as 12345678 or password)."),
    ]


def _pattern(template: str) -> re.Pattern:
    """'Akun {name} belum ...' -> a regex with a group per field."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts) + r"\Z", re.S)


@lru_cache(maxsize=1)
def message_table() -> list[tuple[re.Pattern, re.Pattern, str, str]]:
    return [(_pattern(id_text), _pattern(en_text), id_text, en_text)
            for id_text, en_text in auth_messages() + OTHER_MESSAGES]


def translate_message(text: Any, language: str) -> Any:
    """A known server message in `language`; anything else unchanged."""
    if not isinstance(text, str) or not text.strip():
        return text
    stripped = text.strip()
    for id_pattern, en_pattern, id_text, en_text in message_table():
        source, target = (id_pattern, en_text) if language == "en" else (en_pattern, id_text)
        match = source.match(stripped)
        if match:
            return target.format(**match.groupdict())
    return text


def choose_language(cookie: str | None, site_default: str | None) -> str:
    """The visitor's choice (cookie), else the site's, else Bahasa Indonesia."""
    for candidate in (cookie, site_default):
        if candidate and candidate.strip().lower() in LANGUAGES:
            return candidate.strip().lower()
    return LANGUAGES[0]


def text(key: str, language: str, **values: Any) -> str:
    id_text, en_text = TEXTS[key]
    template = en_text if language == "en" else id_text
    if key.endswith("_html"):
        return Markup(template).format(**values)
    return template.format(**values) if values else template


def _request_handler(context):
    # JupyterHub passes its handler's bound static_url method to every page.
    return getattr(context.get("static_url"), "__self__", None)


@pass_context
def page_language(context) -> str:
    handler = _request_handler(context)
    cookie = None
    if handler is not None:
        try:
            cookie = handler.get_cookie(COOKIE)
        except Exception:  # noqa: BLE001 - a broken cookie header: use the default
            cookie = None
    return choose_language(cookie, context.get(SITE_LANGUAGE_VAR))


@pass_context
def tr(context, key: str, **values: Any) -> str:
    return text(key, page_language(context), **values)


@pass_context
def error_text(context, kind: str, status_code: Any) -> str:
    key = f"error.{kind}.{status_code}"
    return text(key if key in TEXTS else f"error.{kind}.other", page_language(context))


@pass_context
def msg_filter(context, value: Any) -> Any:
    return translate_message(value, page_language(context))


@pass_context
def expiry_options_filter(context, options_html: Any) -> Markup:
    """Translate the labels of JupyterHub's token-expiry <option>s (trusted HTML)."""
    html = str(options_html or "")
    if page_language(context) == "en":
        return Markup(html)

    def label(match: re.Match) -> str:
        words = match.group(1)
        if words in EXPIRY_LABELS:
            return f">{escape(EXPIRY_LABELS[words])}<"
        maximum = re.fullmatch(r"Max \((\d+) (hours|days)\)", words)
        if maximum:
            unit = "jam" if maximum.group(2) == "hours" else "hari"
            return f">Maksimal ({maximum.group(1)} {unit})<"
        return match.group(0)

    return Markup(re.sub(r">([^<>]+)<", label, html))


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


class LanguageExtension(Extension):
    """Adds tr(), page_language(), ... to JupyterHub's Jinja environments."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals.update(
            tr=tr, page_language=page_language, language_name=language_name,
            error_text=error_text)
        environment.filters.update(msg=msg_filter, expiry_options=expiry_options_filter)


def apply_language(c: Config, s: dict[str, Any], d: Any) -> None:
    c.JupyterHub.jinja_environment_options = {"extensions": [LanguageExtension]}
    c.JupyterHub.template_vars = {
        SITE_LANGUAGE_VAR: s["BALAIKODE_LANGUAGE"],
        MIN_PASSWORD_VAR: s["BALAIKODE_MIN_PASSWORD_LENGTH"],
        # The approval list shows admins as always approved (auth.py refuses
        # to withdraw an admin's approval).
        ADMIN_USERS_VAR: list(s["BALAIKODE_ADMIN_USERS"]),
    }
