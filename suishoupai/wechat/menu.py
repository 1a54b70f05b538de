"""The official account's menu from the city's folder (cities/<city>/wechat_menu.json).

WeChat's rules are checked here so a city learns what is wrong before WeChat
refuses it: at most 3 buttons, at most 5 under each, names of at most 16 / 60
bytes (4 / 8 Chinese characters on one line), a view button needs a URL and a
click button a key. Paths beginning with "/" are joined to SITE_URL.
"""

import json
from pathlib import Path

from django.conf import settings

MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5
MAX_NAME_BYTES, MAX_SUB_NAME_BYTES = 16, 60


class MenuError(ValueError):
    pass


def load(city_dir: Path) -> dict:
    path = city_dir / "wechat_menu.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MenuError(f"{path} does not exist") from None
    except ValueError as exc:
        raise MenuError(f"{path} is not valid JSON: {exc}") from None
    return build(data)


def build(data: dict) -> dict:
    buttons = data.get("button") if isinstance(data, dict) else None
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise MenuError(f"the menu needs 1 to {MAX_BUTTONS} buttons under “button”")
    return {"button": [_button(b, MAX_NAME_BYTES, top=True) for b in buttons]}


def _button(raw: dict, max_bytes: int, *, top: bool) -> dict:
    name = str(raw.get("name", ""))
    if not name or len(name.encode()) > max_bytes:
        raise MenuError(f"button name “{name}” must be 1 to {max_bytes} bytes")
    subs = raw.get("sub_button")
    if subs is not None:
        if not top:
            raise MenuError(f"“{name}”: sub-buttons cannot have sub-buttons")
        if not isinstance(subs, list) or not 1 <= len(subs) <= MAX_SUB_BUTTONS:
            raise MenuError(f"“{name}” needs 1 to {MAX_SUB_BUTTONS} sub-buttons")
        return {
            "name": name,
            "sub_button": [_button(s, MAX_SUB_NAME_BYTES, top=False) for s in subs],
        }
    kind = raw.get("type")
    if kind == "view":
        url = str(raw.get("url", ""))
        if url.startswith("/"):
            url = settings.SITE_URL.rstrip("/") + url
        if not url.startswith(("http://", "https://")):
            raise MenuError(f"“{name}” needs a url (a path starting with / or a full URL)")
        return {"type": "view", "name": name, "url": url}
    if kind == "click":
        key = str(raw.get("key", ""))
        if not key:
            raise MenuError(f"“{name}” is a click button and needs a key")
        return {"type": "click", "name": name, "key": key}
    raise MenuError(f"“{name}”: type must be view or click (or give sub_button)")
