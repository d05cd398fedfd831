"""Internal: every system check of dlshortcuts (``manage.py check``)."""
