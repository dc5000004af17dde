#!/usr/bin/env python3
"""Push actions from an external model to signal-proc (polypipe bus schema v1).

signal-proc, started with `--strategy external`, binds a ZeroMQ PULL socket at
`<runtime>/signal/external.sock`. Every message is three frames:

    1. topic      b"action"
    2. header     version u8 (=1) | epoch u64 | sequence u64 | sent_at_ns u64 |
                  source_len u8 | source utf-8     (big-endian, 26 + len bytes)
    3. payload    a serialized polypipe.bus.v1.Action (protobuf)

signal-proc validates each action (id, market and token_id present, side BUY or SELL,
size_micros > 0, limit_price_micros in 1..999999, ttl_ms > 0) and forwards the valid ones to
exec-proc with strategy "external:<strategy or source>". Invalid ones are logged with the
reason and dropped. Amounts are integers in micro-units: price 0.57 -> 570000, 10 shares ->
10000000.

Managing an order: with --replace-price, the last action placed is then replaced (topic
"replace", a ReplaceRequest: exec-proc cancels the old order and places the new one only once
the venue confirmed the cancel); with --cancel, the last order standing is then cancelled
(topic "cancel", a CancelRequest by action id). What happened arrives on exec-proc's events
socket (<runtime>/exec/events.sock, topics "order" and "canceled").

Requirements: pip install pyzmq protobuf==4.21.12 (the gencode in polypipe/bus/v1 is protoc 3.21).

Example:
    ./publish_actions.py --runtime-dir /tmp/polypipe --market 0xabc... --token 1234... \\
        --side BUY --price 0.55 --size 10 --count 3
    ./publish_actions.py ... --price 0.30 --size 5 --replace-price 0.31 --cancel
"""
import argparse
import os
import struct
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zmq  # noqa: E402
from polypipe.bus.v1 import bus_pb2  # noqa: E402

ENVELOPE_VERSION = 1


def micros(text: str) -> int:
    """Decimal text -> exact integer micro-units ("0.57" -> 570000); refuses > 6 decimals."""
    value = Decimal(text) * 1_000_000
    if value != value.to_integral_value():
        raise ValueError(f"{text} has more than 6 decimals")
    return int(value)


def envelope(topic: str, source: str, epoch: int, sequence: int, payload: bytes) -> list:
    """The three frames of one bus message (see Sources/Bus/Envelope.swift)."""
    name = source.encode("utf-8")[:255]
    header = struct.pack(">BQQQB", ENVELOPE_VERSION, epoch, sequence, time.time_ns(), len(name)) + name
    return [topic.encode("utf-8"), header, payload]


def main() -> int:
    parser = argparse.ArgumentParser(description="Push polypipe Actions to signal-proc's external.sock.")
    parser.add_argument("--runtime-dir", default=os.environ.get("RUNTIME_DIRECTORY"),
                        help="runtime directory of the stack (default $RUNTIME_DIRECTORY); the socket is <dir>/signal/external.sock")
    parser.add_argument("--market", required=True, help="condition id of the market (0x + 64 hex)")
    parser.add_argument("--token", required=True, help="outcome token id (decimal)")
    parser.add_argument("--side", choices=["BUY", "SELL"], default="BUY", help="order side")
    parser.add_argument("--price", required=True, help="limit price as a decimal in (0, 1), e.g. 0.55")
    parser.add_argument("--expected-price", help="expected fill price (default: the limit price)")
    parser.add_argument("--size", required=True, help="shares as a decimal, e.g. 10")
    parser.add_argument("--ttl-ms", type=int, default=5000, help="how long each action stays valid (ms)")
    parser.add_argument("--tif", choices=["GTC", "FOK", "FAK"], default="GTC", help="time in force")
    parser.add_argument("--strategy", default="example", help="name; forwarded as external:<name>")
    parser.add_argument("--count", type=int, default=1, help="how many actions to send")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between actions")
    parser.add_argument("--replace-price", help="then replace the last order with one at this price")
    parser.add_argument("--cancel", action="store_true", help="then cancel the last order standing")
    args = parser.parse_args()
    if not args.runtime_dir:
        parser.error("--runtime-dir is required when $RUNTIME_DIRECTORY is not set")

    endpoint = f"ipc://{args.runtime_dir.rstrip('/')}/signal/external.sock"
    socket = zmq.Context.instance().socket(zmq.PUSH)
    socket.setsockopt(zmq.LINGER, 2000)
    socket.connect(endpoint)
    epoch = time.time_ns()
    sequence = 0

    def action_at(price: str, number: int) -> "bus_pb2.Action":
        return bus_pb2.Action(
            id=f"{args.strategy}-{epoch}-{number}",
            market=args.market,
            token_id=args.token,
            side=bus_pb2.BUY if args.side == "BUY" else bus_pb2.SELL,
            size_micros=micros(args.size),
            limit_price_micros=micros(price),
            expected_price_micros=micros(args.expected_price or price),
            created_at_ms=time.time_ns() // 1_000_000,
            ttl_ms=args.ttl_ms,
            time_in_force={"GTC": bus_pb2.GTC, "FOK": bus_pb2.FOK, "FAK": bus_pb2.FAK}[args.tif],
            strategy=args.strategy,
        )

    def send(topic: str, message) -> None:
        nonlocal sequence
        sequence += 1
        socket.send_multipart(envelope(topic, args.strategy, epoch, sequence, message.SerializeToString()))

    last = None
    for number in range(1, args.count + 1):
        last = action_at(args.price, number)
        send("action", last)
        print(f"sent {last.id} to {endpoint}", file=sys.stderr)
        if number < args.count:
            time.sleep(args.interval)
    if args.replace_price and last is not None:
        time.sleep(args.interval)
        replacement = action_at(args.replace_price, args.count + 1)
        send("replace", bus_pb2.ReplaceRequest(cancel_action_id=last.id, place=replacement))
        print(f"sent replace of {last.id} by {replacement.id} at {args.replace_price}", file=sys.stderr)
        last = replacement
    if args.cancel and last is not None:
        time.sleep(args.interval)
        request_id = f"{args.strategy}-{epoch}-cancel"
        send("cancel", bus_pb2.CancelRequest(id=request_id, action_id=last.id, created_at_ms=time.time_ns() // 1_000_000,
                                             strategy=args.strategy, reason="example"))
        print(f"sent cancel {request_id} of {last.id}", file=sys.stderr)
    socket.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
