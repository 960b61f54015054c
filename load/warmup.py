"""Warms an engine before Locust measures it: a few reads of every route the storefront uses, and one order followed
once, so that the figures are of a warm engine rather than of its first JIT compilations and connection set-ups.

Usage: GROCERY_TOKEN=<storefront token> warmup.py BASE_URL
Standard library only. Prints one line (what was done) on stderr; exit code 1 when the engine answers a read with
anything but 200 (the load would only measure that failure).
"""

import json
import os
import sys
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

ROUNDS = 5
STORE = "hcm-01"


def call(base, path, body=None, headers=None):
    request = urllib.request.Request(base + path, method="POST" if body is not None else "GET",
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("Authorization", "Bearer " + os.environ["GROCERY_TOKEN"])
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, None


def main():
    base = sys.argv[1].rstrip("/")
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    reads = ["/api/stores", f"/api/stores/{STORE}/products?limit=50", f"/api/stores/{STORE}/products?search=milk&limit=20",
             f"/api/stores/{STORE}/products?search=s%E1%BB%AFa%20t%C6%B0%C6%A1i&limit=20", f"/api/slots?storeId={STORE}&date={tomorrow}"]
    answers = {}
    for _ in range(ROUNDS):
        for path in reads:
            answers[path] = call(base, path)
    failed = [f"{path}: {status}" for path, (status, _) in answers.items() if status != 200]
    if failed:
        print("warm-up: the engine did not answer " + ", ".join(failed), file=sys.stderr)
        return 1

    slots = [s for s in answers[reads[-1]][1] if s.get("available", 0) > 0]
    products = [p for p in answers[reads[2]][1]["items"] if p.get("unit") == "Each" and p.get("available", 0) > 2]
    if not slots or not products:
        print("warm-up: reads only (no open slot or product for an order)", file=sys.stderr)
        return 0
    order = {
        "customerId": "cust-warm-up", "storeId": STORE, "slotId": slots[-1]["slotId"],
        "lines": [{"sku": products[0]["sku"], "quantity": 1}],
        "payment": {"provider": "sandbox", "token": "tok_success"}, "substitutionPreference": "accept",
        "delivery": {"address": "15 Nguyen Hue, District 1, Ho Chi Minh City", "latitude": 10.7743, "longitude": 106.7038,
                     "phone": "+84901234567"},
        "language": "vi",
    }
    status, accepted = call(base, "/api/orders", order, {"Idempotency-Key": str(uuid.uuid4())})
    if status == 202:
        call(base, f"/api/orders/{accepted['orderId']}")
    print(f"warm-up: {ROUNDS} x {len(reads)} reads, one order ({status})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
