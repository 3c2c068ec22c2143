#!/usr/bin/env python3
"""Hold many idle or half-sent connections open against a vireod listener
(tests/integration/limits.sh). Standard library only.

    flood.py unix PATH COUNT READY_FILE
    flood.py tcp HOST PORT COUNT SOURCES READY_FILE

Opens COUNT connections (over TCP, spread over SOURCES local addresses
127.0.0.2 ...); every other one sends half a request's headers. After a
second it writes "open=N refused=M busy=B" to READY_FILE: `refused` are
those the daemon closed or answered at once, `busy` those answered with
the daemon's 503 "busy" error. Then it holds the open ones until killed.
"""
import os
import select
import socket
import sys
import time

PARTIAL = b"GET /v1/domains HTTP/1.1\r\nHost: flood\r\nX-Slow: "


def main():
    mode = sys.argv[1]
    if mode == "unix":
        path, count, ready = sys.argv[2], int(sys.argv[3]), sys.argv[4]

        def make(i):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
    else:
        host, port, count, sources, ready = (sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
                                             int(sys.argv[5]), sys.argv[6])

        def make(i):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.%d" % (2 + i % sources), 0))
            s.connect((host, port))
            return s

    socks = []
    for i in range(count):
        try:
            s = make(i)
        except OSError:
            continue  # the backlog is full: counts as refused below
        s.setblocking(False)
        if i % 2:
            try:
                s.send(PARTIAL)
            except OSError:
                pass
        socks.append(s)
    refused = count - len(socks)
    busy = 0
    poll = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        poll.register(fd, select.POLLIN)
    deadline = time.time() + 1.0
    # A second for the daemon to answer or close what it refuses.
    while time.time() < deadline and by_fd:
        for fd, _ in poll.poll(100):
            s = by_fd.pop(fd)
            poll.unregister(fd)
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if b'"busy"' in data:
                busy += 1
            s.close()
            refused += 1
    alive = list(by_fd.values())
    with open(ready + ".tmp", "w") as f:
        f.write("open=%d refused=%d busy=%d\n" % (len(alive), refused, busy))
    os.rename(ready + ".tmp", ready)
    while True:
        time.sleep(60)


if __name__ == "__main__":
    main()
