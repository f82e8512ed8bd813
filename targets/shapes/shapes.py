#!/usr/bin/env python3
"""shapes: a soaklab sample target in Python whose memory draws a chosen shape.

Memory is private anonymous pages mapped with mmap and written (so RSS follows it
exactly and falls when they are unmapped), in 1 MiB chunks:

  saw-tooth  SAW_MIB (0) is mapped over SAW_PERIOD seconds (30), then unmapped
             at once, again and again;
  rising     RISE_MIB (0) of each cycle is kept: the troughs climb;
  leak       LEAK_RATE MiB per minute (0) kept for good, from LEAK_AFTER
             seconds (0) after the start: a leak that starts late.

  GET /healthz -> 200 "ok";  GET / -> 200 with the MiB held now.

Knobs: PORT (required; 127.0.0.1 only) and the numbers above (MiB and
seconds, decimals allowed). A bad knob prints a message on stderr and exits
with status 2. Stops on SIGTERM or SIGINT.
"""
import mmap
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
MIB = 1 << 20
PAGE = mmap.PAGESIZE


def knob(name, default):
    text = os.environ.get(name, "")
    if text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name}={text!r}: want a number")
    if value < 0:
        raise ValueError(f"{name}={text!r}: want a number >= 0")
    return value


def port():
    text = os.environ.get("PORT", "")
    if ":" in text:
        host, _, text = text.rpartition(":")
        if host != HOST:
            raise ValueError(f"PORT={host}:{text}: only {HOST} is allowed")
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(f"PORT={text!r}: want 1-65535")
    return int(text)


def chunk():
    m = mmap.mmap(-1, MIB, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for off in range(0, MIB, PAGE):  # write every page
        m[off] = 1
    return m


class Shape:
    def __init__(self, saw, period, rise, leak, after):
        self.saw, self.period, self.rise, self.leak, self.after = saw, period, rise, leak, after
        self.lock = threading.Lock()
        self.cycle = []   # chunks unmapped at the end of each cycle
        self.kept = []    # chunks kept for good
        self.kept_mib = 0.0
        self.stop = threading.Event()

    def held(self):
        with self.lock:
            return len(self.cycle) + len(self.kept)

    def run(self):
        start = time.monotonic()
        cycle_start = start
        leaked = 0.0   # MiB owed to the leak so far
        risen = 0.0    # MiB owed to the rising troughs so far
        while not self.stop.wait(0.25):
            now = time.monotonic()
            with self.lock:
                if self.saw > 0:
                    want = int(self.saw * min(1.0, (now - cycle_start) / self.period))
                    while len(self.cycle) < want:
                        self.cycle.append(chunk())
                    if now - cycle_start >= self.period:
                        for m in self.cycle:
                            m.close()
                        self.cycle = []
                        cycle_start = now
                        risen += self.rise
                if self.leak > 0 and now - start > self.after:
                    leaked = self.leak * (now - start - self.after) / 60
                while len(self.kept) < int(leaked + risen):
                    self.kept.append(chunk())


def main():
    try:
        p = port()
        shape = Shape(knob("SAW_MIB", 0), knob("SAW_PERIOD", 30), knob("RISE_MIB", 0),
                      knob("LEAK_RATE", 0), knob("LEAK_AFTER", 0))
        if shape.period <= 0:
            raise ValueError("SAW_PERIOD must be > 0")
    except ValueError as e:
        print(f"shapes: {e}", file=sys.stderr)
        sys.exit(2)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/healthz":
                body = b"ok"
            elif self.path == "/":
                body = f"{shape.held()} MiB\n".encode()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((HOST, p), Handler)
    server.daemon_threads = True
    grower = threading.Thread(target=shape.run, daemon=True)
    grower.start()

    def stop(*_):
        shape.stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
