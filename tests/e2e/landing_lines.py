"""One file-drop landing line, as the dashboard export writes it (shared by the e2e drills)."""

from __future__ import annotations

import json


def line(pid: str, day: str, text: str, author: str) -> str:
    return json.dumps({"id": pid, "created_at": f"{day}T09:00:00+09:00", "text": text, "author": author},
                      ensure_ascii=False)
