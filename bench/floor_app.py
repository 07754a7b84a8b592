"""The floor: a bare ASGI app answering a fixed JSON body (no framework, no model)."""

from __future__ import annotations

from typing import Any

BODY = b'{"predictions":[0]}'


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": BODY})
