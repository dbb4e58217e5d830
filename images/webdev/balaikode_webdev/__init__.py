"""Balai Kode web-dev image helpers: the live preview (preview.py) and the
%%php cell magic (php_magic.py)."""
