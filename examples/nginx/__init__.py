"""The demo project behind nginx (``make demo-nginx``)."""
