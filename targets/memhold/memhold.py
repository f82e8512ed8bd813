#!/usr/bin/env python3
"""memhold: a soaklab sample target whose heap stays flat while it holds
memory the kernel cannot reclaim, or page cache it can (Python 3 standard
library only).

  GET /healthz  -> 200 "ok"
  GET /         -> a small JSON answer (for load)
  GET /metrics  -> Prometheus text: memhold_held_bytes, memhold_requests_total,
                   process_resident_memory_bytes

Knobs:
  PORT        required; 127.0.0.1 only
  HOLD        none | shm | sock | pipe | cache (default none)
                shm:   write HOLD_RATE into a memfd (shared memory, counted as
                       shmem; freed when the process ends, unlike a /dev/shm file)
                sock:  send HOLD_RATE into loopback connections it never reads
                       (socket buffers, kernel memory)
                pipe:  write HOLD_RATE into 1 MiB pipes it never reads (pipe
                       buffers, kernel memory)
                cache: write CACHE_SIZE to an unlinked file under TMPDIR once,
                       then read it all every 5 s (page cache, large and stable)
  HOLD_RATE   bytes per minute held more (default 2MiB; sizes KiB/MiB/GiB)
  CACHE_SIZE  default 96MiB

A bad knob prints a message on stderr and exits with status 2. Stops on
SIGTERM or SIGINT.
"""
import fcntl
import os
import re
import signal
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOST = "127.0.0.1"
UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
         "kb": 1000, "mb": 1000 ** 2, "gb": 1000 ** 3}
MODES = ("none", "shm", "sock", "pipe", "cache")
PIPE_SIZE = 1 << 20


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


class Holder:
    """Holds memory of one kind, more of it on each grow()."""

    def __init__(self, mode, cache_size):
        self.mode = mode
        self.held = 0
        self.lock = threading.Lock()
        self.keep = []  # descriptors and sockets kept open
        self.chunk = b"x" * 65536
        if mode == "shm":
            self.fd = os.memfd_create("memhold")
        elif mode == "sock":
            self.listener = socket.socket()
            self.listener.bind((HOST, 0))
            self.listener.listen(1024)
            self.conn = None
        elif mode == "pipe":
            self.pipe = None
        elif mode == "cache":
            self.fd, path = tempfile.mkstemp(prefix="memhold-")
            os.unlink(path)  # gone from the disk when the process ends
            left = cache_size
            while left > 0:
                left -= os.write(self.fd, self.chunk[:min(left, len(self.chunk))])
            os.fsync(self.fd)  # clean pages: reclaimable page cache
            self.held = cache_size

    def grow(self, n):
        if self.mode == "shm":
            while n > 0:
                w = os.write(self.fd, self.chunk[:min(n, len(self.chunk))])
                n -= w
                self.count(w)
        elif self.mode == "sock":
            self.fill(n, self.new_conn, lambda c, b: c.send(b))
        elif self.mode == "pipe":
            self.fill(n, self.new_pipe, os.write)
        elif self.mode == "cache":
            for off in range(0, self.held, 1 << 20):
                os.pread(self.fd, 1 << 20, off)

    def count(self, n):
        with self.lock:
            self.held += n

    def fill(self, n, new, send):
        """Writes n bytes into the current sink, opening another when full."""
        while n > 0:
            sink = new(False)
            try:
                sent = send(sink, self.chunk[:min(n, len(self.chunk))])
            except BlockingIOError:
                new(True)
                continue
            n -= sent
            with self.lock:
                self.held += sent

    def new_conn(self, full):
        if self.conn is None or full:
            c = socket.create_connection(self.listener.getsockname())
            s, _ = self.listener.accept()  # never read
            c.setblocking(False)
            self.keep.append((c, s))
            self.conn = c
        return self.conn

    def new_pipe(self, full):
        if self.pipe is None or full:
            r, w = os.pipe()
            fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
            os.set_blocking(w, False)
            self.keep.append((r, w))
            self.pipe = w
        return self.pipe


def hold_loop(holder, rate, stop):
    """Grows the holding by rate/60 bytes a second (rate is per minute)."""
    per_s = rate // 60
    if holder.mode == "cache":
        per_s, period = 0, 5.0
    else:
        period = 1.0
    while not stop.wait(period):
        holder.grow(per_s)


def rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def make_handler(holder, counter):
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
            with holder.lock:
                counter[0] += 1
                held, n = holder.held, counter[0]
            if self.path == "/healthz":
                self.reply("ok")
            elif self.path == "/":
                self.reply('{"mode": "%s", "held_bytes": %d}\n' % (holder.mode, held), "application/json")
            elif self.path == "/metrics":
                self.reply(
                    "# TYPE memhold_held_bytes gauge\nmemhold_held_bytes %d\n"
                    "# TYPE memhold_requests_total counter\nmemhold_requests_total %d\n"
                    "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %d\n"
                    % (held, n, rss_bytes()),
                    "text/plain; version=0.0.4")
            else:
                self.send_error(404)

    return Handler


def main(environ):
    errors = []
    port = rate = cache = None
    try:
        port = parse_port(environ.get("PORT", "").strip() or "missing")
    except ValueError as e:
        errors.append(f"PORT: {e}" if "PORT" not in str(e) else str(e))
    mode = environ.get("HOLD", "").strip() or "none"
    if mode not in MODES:
        errors.append(f"HOLD={mode!r}: want one of {', '.join(MODES)}")
    for key, default in (("HOLD_RATE", "2MiB"), ("CACHE_SIZE", "96MiB")):
        try:
            v = parse_size(environ.get(key, "").strip() or default)
        except ValueError as e:
            errors.append(f"{key}: {e}")
            continue
        if key == "HOLD_RATE":
            rate = v
        else:
            cache = v
    if errors:
        for e in errors:
            print(f"memhold: {e}", file=sys.stderr)
        return 2
    holder = Holder(mode, cache)
    stop = threading.Event()
    threading.Thread(target=hold_loop, args=(holder, rate, stop), daemon=True).start()
    server = ThreadingHTTPServer((HOST, port), make_handler(holder, [0]))
    server.daemon_threads = True

    def on_signal(signum, frame):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"memhold: {mode}, listening on http://{HOST}:{port}", file=sys.stderr, flush=True)
    server.serve_forever()
    server.server_close()
    print("memhold: stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ))
