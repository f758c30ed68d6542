# Tool, used by alloc-check.sh: K requests (echo or http) to 127.0.0.1:PORT over 10 connections, each reply awaited.
#   python3 fixed-requests-client.py PORT K echo|http
import socket, sys
port, k, proto = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(10)]
req = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" if proto == "http" else b"x" * 64
for i in range(k):
    s = socks[i % 10]
    s.sendall(req)
    if proto == "http":
        buf = b""
        while not buf.endswith(b"Hello, world!"):
            buf += s.recv(4096)
    else:
        got = 0
        while got < 64: got += len(s.recv(64 - got))
for s in socks: s.close()
