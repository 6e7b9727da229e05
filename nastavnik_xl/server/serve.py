"""Starting the МНЦ's server: the address checked first, uvicorn quiet, our log in Russian."""

from __future__ import annotations

import logging
import socket
import sys

from nastavnik_xl.findings import BookError
from nastavnik_xl.server.app import Settings, create_app


def check_address(host: str, port: int) -> None:
    """A Russian error now, instead of uvicorn's English one later, when the address cannot be taken."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise BookError(f"Адрес «{host}» не найден: укажите в --host IP-адрес этого компьютера или 127.0.0.1.",
                        code="usage") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = "порт уже занят другой программой" if exc.errno == 98 else exc.strerror
            raise BookError(f"Нельзя запустить сервер на {host}:{port}: {reason}. Укажите другой порт в --port.",
                            code="usage") from None


def configure_log() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    log = logging.getLogger("nastavnik.server")
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


def serve(settings: Settings, host: str, port: int) -> None:
    """Run the server until Ctrl+C."""
    import uvicorn

    check_address(host, port)
    configure_log()
    app = create_app(settings)
    log = logging.getLogger("nastavnik.server")
    count = len(settings.tokens.all())
    log.info("сервер «Наставничество» слушает http://%s:%d (Ctrl+C — остановить); токенов школ: %d (файл %s); "
             "одновременно действий: %d, предел времени %g с, предел запроса %g МБ", host, port, count,
             settings.tokens.path, app.state.runner.workers, settings.time_limit, settings.max_bytes / 2**20)
    if count == 0:
        log.info("токенов пока нет: выдайте школе токен командой nastavnik serve --tokens %s --new-token \"<ОО>\"",
                 settings.tokens.path)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
                            date_header=False)
    uvicorn.Server(config).run()
    log.info("сервер остановлен")

