"""A loopback TCP proxy that a test can cut and restore, to put a database outage mid-request."""

from __future__ import annotations

import contextlib
import select
import socket
import threading


class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``target``; ``cut()`` drops every connection and refuses
    new ones until ``restore()``.

    ::

        with TcpProxy(("127.0.0.1", 5432)) as proxy:
            url = f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/db"
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._down = False
        self._closed = False
        self.connections = 0
        self.cuts = 0
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def __enter__(self) -> TcpProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def is_down(self) -> bool:
        return self._down

    def cut(self) -> None:
        """Drop every open connection at once and refuse new ones."""
        with self._lock:
            self._down = True
            self.cuts += 1
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            _hard_close(sock)

    def restore(self) -> None:
        self._down = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        with contextlib.suppress(OSError):
            self._listener.close()
        self._thread.join(timeout=5)

    def _accept_loop(self) -> None:
        self._listener.settimeout(0.2)
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._down:
                _hard_close(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _hard_close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
                self.connections += 1
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 0.5)
                if self._closed:
                    break
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        raise ConnectionError
                    peers[sock].sendall(data)
        except (OSError, ValueError, ConnectionError):
            pass
        finally:
            with self._lock:
                self._sockets.discard(a)
                self._sockets.discard(b)
            _hard_close(a)
            _hard_close(b)


def _hard_close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
