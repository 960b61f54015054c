"""The storefront's customers, as Locust users: one user is one shopper's session after another.

The storefront backend calls the engine with ONE storefront token without a customer claim (docs/security.md: it acts
for any customer), given in the environment as GROCERY_TOKEN; the engine's base URL is Locust's --host. Run it with
scripts/load.sh, which starts an engine, prints the token and summarizes the run (load/summary.py).

A session: the store list, a few catalogue pages and searches, then, for a share of sessions, the delivery slots of
today and the next two days (store time), an order of 1-8 lines found on the way, and a few looks at the order until it
ends, answering a substitution question when one waits. The model (300,000 customers -> sessions per second at the
peak -> requests per second per route) is in load/README.md; its assumptions are the constants below.

Request names (Locust's statistics group by them, not by URL): stores, products, search, slots, checkout,
checkout refused (a 422 "Slot full" / "Out of stock": a refusal a real customer meets, counted as a success), order,
substitutions, substitutions closed (a 409 "No open substitution question": the question was settled between the look
and the answer, by the deadline or by the simulator that plays the engine's customers; also a success).
Anything else (another 4xx, a 5xx, a timeout, an answer that is not the JSON expected) is a failure.
"""

import logging
import os
import random
import uuid
from datetime import datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import gevent
from locust import FastHttpUser, events, task

# --- the model: assumptions (load/README.md derives the rates from them) -------------------------------------------
CUSTOMERS = 300_000  # customers of the storefront; a session's customer is drawn from them (cust-000001 ...)
SESSIONS_PER_CUSTOMER_PER_WEEK = 2  # visits of the storefront (app or web) per customer per week
PEAK_HOUR_SHARE = 0.15  # share of a day's sessions that fall in the busiest hour (evening, 19:00-20:00)
BUY_SHARE = 0.25  # share of sessions that end in an order
SEARCHES_PER_SESSION = (1, 5)  # searches typed per session, uniform: 3 on average
BROWSE_PAGES_PER_SESSION = (1, 3)  # catalogue pages of 50 looked at, uniform: 2 on average
SLOT_DAYS = 3  # a buying session lists the slots of today and the next 2 days (3 listings)
SLOT_PEEK_SHARE = 0.2  # share of sessions without an order that still look at today's slots (1 listing)
POLLS_PER_ORDER = 4  # looks at the order after checkout, until it ends or the session does
DECISION_APPROVE_SHARE = 0.7  # share of substitution answers that approve the replacement
LINES_PER_ORDER = (1, 8)  # distinct products per order, uniform
THINK_S = (2.0, 6.0)  # think time between two pages of a session, seconds, uniform: 4 s on average
POLL_THINK_S = (3.0, 6.0)  # between two looks at an order, seconds
PAUSE_BETWEEN_SESSIONS_S = (0.5, 2.0)  # before the user starts the next customer's session
# With these a session makes about 8 requests in about 30 s (load/README.md): the peak hour's 3.57 sessions/s are
# about 110-120 concurrent users (Little's law), making about 29 requests/s.

# Where the storefront's sessions go (shares of sessions), and the customers' doors near each store.
STORE_SHARES = {"hcm-01": 0.40, "han-01": 0.25, "dad-01": 0.10, "sgp-01": 0.15, "bkk-01": 0.10}
ADDRESSES = {
    "hcm-01": ("15 Nguyen Hue, District 1, Ho Chi Minh City", 10.7743, 106.7038, "+849"),
    "han-01": ("36 Hang Bac, Hoan Kiem, Hanoi", 21.0341, 105.8516, "+849"),
    "dad-01": ("120 Bach Dang, Hai Chau, Da Nang", 16.0717, 108.2240, "+849"),
    "sgp-01": ("1 Raffles Place, Singapore 048616", 1.2840, 103.8515, "+659"),
    "bkk-01": ("999 Rama I Road, Pathum Wan, Bangkok 10330", 13.7466, 100.5393, "+668"),
}
VIETNAMESE_STORES = {"hcm-01", "han-01", "dad-01"}

# What customers type: English and Vietnamese, with and without diacritics, and words cut short while typing.
SEARCH_TERMS = [
    "milk", "fresh milk", "sữa tươi", "sua tuoi", "sữa", "sua t", "vinami", "vinamilk",
    "gạo st25", "gao st25", "rice", "jasmine rice", "nước mắm", "nuoc mam", "fish sauce",
    "xoài", "xoai", "mango", "banana", "chuối", "apple", "dragon fruit", "thanh long",
    "mì ăn liền", "mi an lien", "instant noodles", "noodle", "phở", "pho",
    "trà xanh", "tra xanh", "green tea", "coffee", "cà phê", "ca phe",
    "dầu gội", "dau goi", "shampoo", "beer", "bia", "coca", "coca cola", "pepsi",
    "eggs", "trứng", "chicken", "gà", "pork", "thịt heo", "beef", "salmon", "tofu", "đậu phụ",
    "bread", "bánh mì", "yogurt", "sữa chua", "cheese", "butter", "chocolate", "cho",
    "water", "nước suối", "cooking oil", "dầu ăn", "sugar", "đường", "tomato", "cà chua",
    "detergent", "nước giặt", "toilet paper", "giấy vệ sinh", "diapers", "tã", "organic",
]

TERMINAL_STATES = {"Completed", "Rejected", "Cancelled", "Refunded"}
BUSINESS_REFUSALS = {"Slot full", "Out of stock"}
SUBSTITUTION_SAGA = "SubstitutionApproval"
AWAITING_DECISION = "AwaitingCustomerDecision"
PROPOSAL_KIND = "substitutions.proposed"

log = logging.getLogger("load")
_reported = {}


@events.init.add_listener
def _require_token(environment, **_kwargs):
    if not os.environ.get("GROCERY_TOKEN"):
        log.error("GROCERY_TOKEN is not set: the storefront token the engine's token command prints")
        if environment.runner is not None:
            environment.runner.quit()


def _think(low_high=THINK_S):
    gevent.sleep(random.uniform(*low_high))


def _problem_title(response):
    try:
        body = response.json()
    except (ValueError, TypeError):
        return None
    return body.get("title") if isinstance(body, dict) else None


def _report_unexpected(name, response):
    """Logs the first few unexpected answers per route and status, bodies cut short (they never carry the token)."""
    key = (name, response.status_code)
    _reported[key] = _reported.get(key, 0) + 1
    if _reported[key] <= 3:
        text = (response.text or "")[:600].replace("\n", " ")
        error = getattr(response, "error", None)
        log.warning("unexpected answer: %s %s -> %s %s%s", response.request_meta["request_type"], name, response.status_code, text,
                    f" ({type(error).__name__}: {error})" if error else "")


def _fail(name, response, what=None):
    status = response.status_code
    if status == 0:
        error = getattr(response, "error", None)
        response.failure(f"no answer: {type(error).__name__ if error else 'error'}")
    else:
        title = _problem_title(response)
        response.failure(f"HTTP {status}" + (f" {title}" if title else "") + (f": {what}" if what else ""))
    _report_unexpected(name, response)


class Shopper(FastHttpUser):
    """One storefront session after another, each for a customer drawn from CUSTOMERS."""

    # A stalled answer is a failure within bounded time rather than a user stuck for a minute.
    network_timeout = 10.0
    connection_timeout = 5.0

    def wait_time(self):
        return random.uniform(*PAUSE_BETWEEN_SESSIONS_S)

    def on_start(self):
        self._authorization = "Bearer " + os.environ.get("GROCERY_TOKEN", "")
        self._zones = {}

    def _headers(self, extra=None):
        # A fresh dict each time: the client adds its own headers to the one it is given.
        headers = {"Authorization": self._authorization}
        if extra:
            headers.update(extra)
        return headers

    def _get_json(self, path, name):
        """GET, 200 with JSON expected; the parsed body, or None when it failed."""
        with self.client.get(path, name=name, headers=self._headers(), catch_response=True) as response:
            if response.status_code != 200:
                _fail(name, response)
                return None
            try:
                body = response.json()
            except (ValueError, TypeError):
                _fail(name, response, "not JSON")
                return None
            response.success()
            return body

    # --- the session ------------------------------------------------------------------------------------------------
    @task
    def session(self):
        customer = f"cust-{random.randint(1, CUSTOMERS):06d}"
        stores = self._get_json("/api/stores", "stores")
        if not isinstance(stores, list) or not stores:
            return
        for store in stores:
            self._zones[store["storeId"]] = store["timeZone"]
        known = [s for s in STORE_SHARES if s in self._zones]
        store_id = random.choices(known, weights=[STORE_SHARES[s] for s in known])[0] if known else stores[0]["storeId"]
        _think()

        # What the customer sees on the way: candidates for the basket.
        seen = {}
        cursor = None
        for _ in range(random.randint(*BROWSE_PAGES_PER_SESSION)):
            path = f"/api/stores/{store_id}/products?limit=50" + (f"&cursor={cursor}" if cursor else "")
            page = self._get_json(path, "products")
            if not isinstance(page, dict):
                break
            self._remember(seen, page.get("items", []))
            cursor = page.get("nextCursor")
            _think()
            if not cursor:
                break

        for _ in range(random.randint(*SEARCHES_PER_SESSION)):
            terms = random.choice(SEARCH_TERMS)
            page = self._get_json(f"/api/stores/{store_id}/products?search={quote(terms, safe='')}&limit=20", "search")
            if isinstance(page, dict):
                self._remember(seen, page.get("items", []))
            _think()

        if random.random() >= BUY_SHARE:
            if random.random() < SLOT_PEEK_SHARE:
                self._slots(store_id, 0)
            return

        slots = []
        for day in range(SLOT_DAYS):
            slots.extend(self._slots(store_id, day))
            _think((1.0, 2.0))
        open_slots = [s for s in slots if s.get("available", 0) > 0]
        lines = self._basket(seen)
        if not open_slots or not lines:
            return  # nothing to deliver in, or nothing in stock they wanted: they leave
        slot = random.choices(open_slots, weights=[s["available"] for s in open_slots])[0]
        _think()
        order_id = self._checkout(customer, store_id, slot["slotId"], lines)
        if order_id:
            self._follow(order_id)

    def _remember(self, seen, items):
        for item in items:
            if isinstance(item, dict) and item.get("sku"):
                seen[item["sku"]] = item

    def _slots(self, store_id, day):
        zone = ZoneInfo(self._zones.get(store_id, "Asia/Ho_Chi_Minh"))
        date = (datetime.now(zone).date() + timedelta(days=day)).isoformat()
        listed = self._get_json(f"/api/slots?storeId={store_id}&date={date}", "slots")
        return listed if isinstance(listed, list) else []

    def _basket(self, seen):
        """1-8 distinct products with more available than the quantity taken."""
        wanted = random.randint(*LINES_PER_ORDER)
        candidates = list(seen.values())
        random.shuffle(candidates)
        lines = []
        for item in candidates:
            if len(lines) == wanted:
                break
            if item.get("unit") == "Kilogram":
                quantity = random.choice([0.5, 1, 1.5])
            else:
                quantity = random.randint(1, 3)
            if float(item.get("available", 0)) > quantity:
                lines.append({"sku": item["sku"], "quantity": quantity})
        return lines

    def _checkout(self, customer, store_id, slot_id, lines):
        address, latitude, longitude, phone_prefix = ADDRESSES.get(store_id, ADDRESSES["hcm-01"])
        vietnamese = store_id in VIETNAMESE_STORES
        body = {
            "customerId": customer,
            "storeId": store_id,
            "slotId": slot_id,
            "lines": lines,
            "payment": {"provider": "sandbox", "token": "tok_success"},
            "substitutionPreference": random.choice(["accept", "ask"]),
            "delivery": {
                "address": address,
                "latitude": round(latitude + random.uniform(-0.02, 0.02), 6),
                "longitude": round(longitude + random.uniform(-0.02, 0.02), 6),
                "phone": phone_prefix + "".join(random.choices("0123456789", k=8)),
                "notes": "Gọi trước khi giao" if vietnamese else "Please call on arrival",
            },
            "language": ("vi" if random.random() < 0.8 else "en") if vietnamese else "en",
        }
        headers = self._headers({"Idempotency-Key": str(uuid.uuid4())})
        with self.client.post("/api/orders", name="checkout", json=body, headers=headers, catch_response=True) as response:
            if response.status_code == 202:
                try:
                    order_id = response.json()["orderId"]
                except (ValueError, TypeError, KeyError):
                    _fail("checkout", response, "no orderId")
                    return None
                response.success()
                return order_id
            if response.status_code == 422 and _problem_title(response) in BUSINESS_REFUSALS:
                response.request_meta["name"] = "checkout refused"
                response.success()
                return None
            _fail("checkout", response)
            return None

    def _follow(self, order_id):
        answered = False
        for _ in range(POLLS_PER_ORDER):
            _think(POLL_THINK_S)
            view = self._get_json(f"/api/orders/{order_id}", "order")
            if not isinstance(view, dict):
                return
            if view.get("state") in TERMINAL_STATES:
                return
            if not answered:
                skus = _awaiting_decision(view)
                if skus:
                    _think((2.0, 5.0))  # reading the question
                    self._decide(order_id, skus)
                    answered = True

    def _decide(self, order_id, skus):
        body = {"decisions": [{"sku": sku, "approve": random.random() < DECISION_APPROVE_SHARE} for sku in skus]}
        path = f"/api/orders/{order_id}/substitutions/decisions"
        with self.client.post(path, name="substitutions", json=body, headers=self._headers(), catch_response=True) as response:
            if response.status_code == 202:
                response.success()
            elif response.status_code == 409 and _problem_title(response) == "No open substitution question":
                response.request_meta["name"] = "substitutions closed"
                response.success()
            else:
                _fail("substitutions", response)


def _awaiting_decision(view):
    """
    The short lines the customer is asked about, as the order view shows them: the substitution saga's last move in the
    timeline is to AwaitingCustomerDecision, and the notification "substitutions.proposed" lists each short line as
    "- <name> × <quantity>: ..." (the names of the order's lines). Empty when no question waits.
    """
    moves = [t for t in view.get("timeline", []) if t.get("saga") == SUBSTITUTION_SAGA]
    if not moves or moves[-1].get("to") != AWAITING_DECISION:
        return []
    proposals = [n for n in view.get("notifications", []) if n.get("kind") == PROPOSAL_KIND]
    if not proposals:
        return []  # not told yet
    text = proposals[-1].get("text", "")
    short_names = {line[2:].split(" × ", 1)[0] for line in text.splitlines() if line.startswith("- ")}
    return [line["sku"] for line in view.get("lines", []) if line.get("name") in short_names]
