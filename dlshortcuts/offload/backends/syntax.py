"""What every web server's configuration text shares: quoting, and naming a location in a comment."""

from __future__ import annotations

from dlshortcuts.offload.locations import Location


def quoted(value: str) -> str:
    """A double-quoted configuration string (nginx, Apache, lighttpd and Caddy agree on this)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def describe(location: Location) -> str:
    """``location '/_p/' (root '/srv/private')``: a location, for a comment in the configuration."""
    source = next((key, value) for key, value in vars(location).items() if key != "url" and value is not None)
    return f"location {location.url!r} ({source[0]} {source[1]!r})"


def directory(location: Location) -> str | None:
    """The location's directory on local disk, resolved, ending in ``/`` (None when it has none)."""
    root = location.local_root
    return None if root is None else root.rstrip("/") + "/"
