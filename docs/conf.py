"""Sphinx configuration."""

from __future__ import annotations

import os
import sys

import django

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
django.setup()

project = "dlshortcuts"
author = "dlshortcuts contributors"
copyright = "2026, dlshortcuts contributors"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.extlinks",
    "sphinx.ext.viewcode",
    "proxy_config_directive",
]
# CI has no network, so no intersphinx inventories: plain links instead.
extlinks = {
    "django": ("https://docs.djangoproject.com/en/stable/%s", "%s"),
    "rfc9110": ("https://www.rfc-editor.org/rfc/rfc9110#%s", "RFC 9110 %s"),
}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
nitpicky = False
html_theme = "furo"
html_title = "dlshortcuts"
exclude_patterns = ["_build"]
