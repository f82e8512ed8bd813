#!/usr/bin/env python3
"""A load client for soaklab's sink, written without soaklab in mind.

It POSTs 100-byte bodies to SINK_URL at RATE requests a second for SECONDS,
on one keep-alive connection, and every BAD_EVERY requests (0 = never)
sends one malformed request on a connection of its own. Then it idles
until it is stopped (at most 10 minutes). It listens on no port.
"""
import http.client
import os
import socket
import time
import urllib.parse

sink = urllib.parse.urlparse(os.environ["SINK_URL"])
if sink.hostname not in ("127.0.0.1", "localhost"):
    raise SystemExit("SINK_URL must be on loopback, got " + os.environ["SINK_URL"])
rate = float(os.environ.get("RATE", "100"))
seconds = float(os.environ.get("SECONDS", "10"))
bad_every = int(os.environ.get("BAD_EVERY", "0"))

conn = http.client.HTTPConnection(sink.hostname, sink.port, timeout=5)
body = b"x" * 100
start = time.monotonic()
n = 0
while time.monotonic() - start < seconds:
    due = start + n / rate
    now = time.monotonic()
    if due > now:
        time.sleep(due - now)
    n += 1
    if bad_every and n % bad_every == 0:
        with socket.create_connection((sink.hostname, sink.port), timeout=5) as s:
            s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            s.recv(1024)
        continue
    conn.request("POST", "/ingest", body=body, headers={"Content-Type": "text/plain"})
    conn.getresponse().read()
time.sleep(600)
