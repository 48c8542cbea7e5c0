"""``tokki serve``: the checks on a local web page, and a JSON API, over the library.

``create_app(ServeConfig(...))`` gives the ASGI app (FastAPI); ``run(config)`` serves it with
uvicorn. Needs the ``serve`` extra: pip install 'tokki[serve]'.
"""
from __future__ import annotations

from .app import create_app
from .security import ServeConfig, new_token


def run(config: ServeConfig) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import uvicorn

    uvicorn.run(create_app(config), host=config.host, port=config.port, log_level="warning")


__all__ = ["ServeConfig", "create_app", "new_token", "run"]
