"""A local sync receiver for the benchmark: checks each signature, keeps sign-ups by id,
and answers the acknowledgement the kiosk needs before it marks them synced (SPEC 9).

Runs in its own process so it never competes with the kiosk's sync for the GIL.
Prints `BENCH {"port": N}`; GET /count answers the tallies, POST /reset clears them.
Usage: python bench/_receiver.py SECRET
"""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.sync import verify_signature

SECRET = sys.argv[1] if len(sys.argv) > 1 else "bench-secret"
_lock = threading.Lock()
_ids: set[str] = set()
_tally = {"requests": 0, "records": 0, "bad_signatures": 0}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would offer
    # Headers and body go out in two writes; with Nagle on, each response would wait
    # for the kiosk's delayed ACK (~40 ms), a stall of this receiver, not of the kiosk.
    disable_nagle_algorithm = True

    def _answer(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        with _lock:
            self._answer(200, {**_tally, "unique": len(_ids)})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path == "/reset":
            with _lock:
                _ids.clear()
                _tally.update(requests=0, records=0, bad_signatures=0)
            self._answer(200, {})
            return
        if not verify_signature(
            SECRET,
            self.headers.get("X-Kiosk-Timestamp", ""),
            body,
            self.headers.get("X-Kiosk-Signature"),
        ):
            with _lock:
                _tally["bad_signatures"] += 1
            self._answer(401, {"error": "bad signature"})
            return
        signups = json.loads(body)["signups"]
        with _lock:
            _tally["requests"] += 1
            _tally["records"] += len(signups)
            # Deduped by record id: a resend (same ids) changes nothing here.
            _ids.update(s["id"] for s in signups)
        # Stored (a real receiver: committed) — only now acknowledge every id.
        self._answer(200, {"accepted": len(signups)})

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the benchmark prints its own table


def main() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("BENCH " + json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
