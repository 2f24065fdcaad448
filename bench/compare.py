#!/usr/bin/env python3
"""Checks that a peer pays every payee exactly what Attain pays.

    compare.py ATTAIN.csv PEER.csv [--name PEER]

Both files are `person_id,payout` (full-year payout per payee). Payouts are compared as exact
decimals (`1.5` equals `1.50`); the payee sets must be equal. On a mismatch the first
differing payee (in id order) is printed with both values and the exit status is 1. A
checksum over all payees (FNV-1a over the sorted `person=payout` lines, payouts normalised as
the scale bench prints them) is printed either way, so Attain's and each peer's can be set
side by side.
"""

from __future__ import annotations

import argparse
import csv
import sys
from decimal import Decimal


def read(path: str) -> dict[str, Decimal]:
    with open(path, newline="") as f:
        return {row["person_id"]: Decimal(row["payout"]) for row in csv.DictReader(f)}


def normal(d: Decimal) -> str:
    """rust_decimal's `normalize()` as text: no trailing zeros, `0` for zero."""
    if d == 0:
        return "0"
    text = format(d.normalize(), "f")
    return text


def checksum(payouts: dict[str, Decimal]) -> str:
    h = 0xCBF29CE484222325
    for person in sorted(payouts):
        for b in f"{person}={normal(payouts[person])}\n".encode():
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("attain")
    p.add_argument("peer")
    p.add_argument("--name", default="peer")
    args = p.parse_args()
    attain, peer = read(args.attain), read(args.peer)
    for person in sorted(set(attain) | set(peer)):
        a, b = attain.get(person), peer.get(person)
        if a != b:
            show = lambda v: "no statement" if v is None else str(v)  # noqa: E731
            print(f"MISMATCH {args.name}: payee {person}: Attain {show(a)}, {args.name} {show(b)} "
                  f"({len(attain)} payees in Attain, {len(peer)} in {args.name})", file=sys.stderr)
            return 1
    total = sum(attain.values(), Decimal(0))
    print(f"{args.name}: all {len(attain)} payees equal Attain's (total {total}, checksum {checksum(peer)})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
