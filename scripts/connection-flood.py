#!/usr/bin/python3
"""Opens N raw TCP connections that never send a byte to HOST:PORT (a gRPC endpoint, the RTSP
server, the web view) and reports how many the server closed after 1 s and after S seconds:
what an endpoint's connection cap and handshake/idle timeouts do against a flood (docs/security.md).

    scripts/connection-flood.py 127.0.0.1:50052 --count 2000 --wait 12
"""
import argparse
import select
import socket
import time


def closed_by_server(sockets) -> int:
    closed = 0
    for s in sockets:
        if s.fileno() < 0:
            closed += 1
            continue
        poll = select.poll()
        poll.register(s, select.POLLIN)
        if not poll.poll(0):
            continue
        try:
            while True:
                if not s.recv(65536, socket.MSG_DONTWAIT):
                    s.close()
                    closed += 1
                    break
        except BlockingIOError:
            pass
        except ConnectionResetError:
            s.close()
            closed += 1
    return closed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("address", help="HOST:PORT")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--wait", type=float, default=12.0, help="seconds before the second count")
    args = parser.parse_args()
    host, port = args.address.rsplit(":", 1)
    sockets = [socket.create_connection((host.strip("[]"), int(port))) for _ in range(args.count)]
    time.sleep(1.0)
    print(f"after 1 s: {closed_by_server(sockets)} of {args.count} closed by the server")
    time.sleep(max(0.0, args.wait - 1.0))
    print(f"after {args.wait:g} s: {closed_by_server(sockets)} of {args.count} closed by the server")
    for s in sockets:
        s.close()


if __name__ == "__main__":
    main()
