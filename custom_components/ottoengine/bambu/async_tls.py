"""Open a TLS client socket without blocking the event loop.

The TCP connect and the TLS handshake run on a non-blocking socket driven by the loop's
selector, so hundreds of printers can (re)connect from one loop without a thread each. The
result is a plain non-blocking :class:`ssl.SSLSocket`, ready to be handed to paho-mqtt.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl


async def _wait_fd(loop: asyncio.AbstractEventLoop, sock: socket.socket, *, write: bool) -> None:
    future: asyncio.Future[None] = loop.create_future()

    def ready() -> None:
        if not future.done():
            future.set_result(None)

    fd = sock.fileno()
    if write:
        loop.add_writer(fd, ready)
    else:
        loop.add_reader(fd, ready)
    try:
        await future
    finally:
        if write:
            loop.remove_writer(fd)
        else:
            loop.remove_reader(fd)


async def open_tls_socket(
    host: str, port: int, context: ssl.SSLContext, *, timeout: float
) -> ssl.SSLSocket:
    """Connect to ``host:port`` and complete the TLS handshake within ``timeout`` seconds.

    Raises ``OSError``/``ssl.SSLError`` on failure and ``TimeoutError`` on timeout; the socket
    is closed on every failure (including cancellation).
    """
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    family, kind, proto, _name, address = infos[0]
    raw = socket.socket(family, kind, proto)
    raw.setblocking(False)
    tls: ssl.SSLSocket | None = None
    try:
        async with asyncio.timeout(timeout):
            await loop.sock_connect(raw, address)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            tls = context.wrap_socket(raw, do_handshake_on_connect=False)
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    await _wait_fd(loop, tls, write=False)
                except ssl.SSLWantWriteError:
                    await _wait_fd(loop, tls, write=True)
    except BaseException:
        with contextlib.suppress(OSError):
            (tls or raw).close()
        raw.close()
        raise
    return tls
