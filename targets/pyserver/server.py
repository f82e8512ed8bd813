#!/usr/bin/env python3
"""pyserver: a soaklab sample target written in Python (standard library only).

It shows that the process backend runs any executable as a `command:` target.

  GET /healthz  -> 200 "ok"
  GET /alloc    -> allocates ALLOC bytes (default 1MiB), writes them and keeps
                   them, so memory grows with every request
  GET /metrics  -> Prometheus text: pyserver_held_bytes, pyserver_requests_total,
                   process_resident_memory_bytes

Knobs: PORT (required; 127.0.0.1 only), ALLOC (default 1MiB; KiB/MiB/GiB or
KB/MB/GB). A bad knob prints a message on stderr and exits with status 2.
Stops on SIGTERM or SIGINT.
"""
import os
import re
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
         "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3}


def parse_size(text):
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", text)
    if not m or m.group(2).lower() not in UNITS:
        raise ValueError(f"bad size {text!r} (want e.g. 64KiB, 1MB)")
    return int(float(m.group(1)) * UNITS[m.group(2).lower()])


def parse_port(text):
    if ":" in text:
        host, _, text = text.rpartition(":")
        if host != HOST:
            raise ValueError(f"PORT={host}:{text}: only {HOST} is allowed")
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"PORT={text!r}: want 1-65535")
    return int(text)


class State:
    def __init__(self, alloc):
        self.alloc = alloc
        self.held = []
        self.held_bytes = 0
        self.requests = 0
        self.lock = threading.Lock()

    def grow(self):
        buf = bytearray(self.alloc)
        for i in range(0, len(buf), 4096):  # write every page
            buf[i] = 1
        with self.lock:
            self.held.append(buf)
            self.held_bytes += len(buf)
            return self.held_bytes


def rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, body, ctype="text/plain"):
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            with state.lock:
                state.requests += 1
            if self.path == "/healthz":
                self.reply("ok")
            elif self.path == "/alloc":
                held = state.grow()
                self.reply('{"held_bytes": %d}\n' % held, "application/json")
            elif self.path == "/metrics":
                with state.lock:
                    held, n = state.held_bytes, state.requests
                self.reply(
                    "# TYPE pyserver_held_bytes gauge\npyserver_held_bytes %d\n"
                    "# TYPE pyserver_requests_total counter\npyserver_requests_total %d\n"
                    "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n"
                    % (held, n, rss_bytes()),
                    "text/plain; version=0.0.4")
            else:
                self.send_error(404)

    return Handler


def main(environ):
    errors = []
    port = alloc = None
    try:
        port = parse_port(environ.get("PORT", "").strip() or "missing")
    except ValueError as e:
        errors.append(f"PORT: {e}" if "PORT" not in str(e) else str(e))
    try:
        alloc = parse_size(environ.get("ALLOC", "").strip() or "1MiB")
    except ValueError as e:
        errors.append(f"ALLOC: {e}")
    if errors:
        for e in errors:
            print(f"pyserver: {e}", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer((HOST, port), make_handler(State(alloc)))
    server.daemon_threads = True

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"pyserver: listening on http://{HOST}:{port}", file=sys.stderr, flush=True)
    server.serve_forever()
    server.server_close()
    print("pyserver: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ))
