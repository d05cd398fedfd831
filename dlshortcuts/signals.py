"""What happened to a download: Django signals sent around every response a shortcut makes.

``download_started`` is sent when a shortcut has decided to send a body,
before its first byte; ``download_finished`` once per response, when the
server is done with it. Both are plain :class:`django.dispatch.Signal`
objects, sent with ``send_robust``: a receiver that raises is logged on the
``dlshortcuts.signals`` logger and never breaks or shortens the download.

Example, an audit row per download (docs/signals.rst has more)::

    from django.dispatch import receiver
    from dlshortcuts.signals import download_finished

    @receiver(download_finished)
    def audit(sender, request, download, status, bytes_sent, complete, offloaded, **kwargs):
        DownloadLog.objects.create(
            user=request.user if request.user.is_authenticated else None,
            filename=download.filename,
            status=status,
            bytes_sent=bytes_sent,
            complete=complete,
        )
"""

from __future__ import annotations

from django.dispatch import Signal

__all__ = ["download_finished", "download_started"]

#: Sent when a shortcut has decided to send a body (a 200 or 206 to a GET),
#: before the first byte, in the thread that runs the view. Keyword
#: arguments: ``request``, ``download`` (the :class:`~dlshortcuts.Download`),
#: ``response`` (the :class:`~dlshortcuts.DownloadResponse`, its status and
#: headers set). The sender is :class:`~dlshortcuts.DownloadResponse`.
download_started = Signal()

#: Sent exactly once per response, after the server is done with it (the
#: last byte, a client disconnect, an error while streaming, or a response
#: without a body). Keyword arguments: ``request``, ``download``,
#: ``response``, ``status`` (int), ``bytes_sent`` (body bytes the server
#: took, int, or None when unknown), ``complete`` (True when the whole body
#: of that answer was sent; None when unknown), ``offloaded`` (True when
#: the web server sends the file: ``bytes_sent`` and ``complete`` are then
#: None). The sender is :class:`~dlshortcuts.DownloadResponse`.
download_finished = Signal()
