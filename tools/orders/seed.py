"""Deterministic demo data for "the Tandem demo store", in τ-bench's retail shape.

`generate_demo_data(seed)` builds a catalogue of 20 product types with variants, 60
customers and about 200 orders from `random.Random(seed)`: the same seed always yields
the same records in the same order. Two customers are fixed, for the README and tests:

* ``alex_morgan_1001`` (Alex Morgan, alex.morgan@example.com, +14155550142, zip 94107) with a credit
  card and a 150.0 gift card, and orders ``#W1234567`` (pending, 2 items),
  ``#W2345678`` (delivered, 2 items, under 1000), ``#W3456789`` (processed, tracked)
  and ``#W4567890`` (delivered, a laptop, over 1000);
* ``sam_lee_2002`` (sam.lee@example.com, zip 10001) with ``#W7654321`` (pending).
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

from tools.orders.sqlite_store import SqliteOrderStore
from tools.orders.store import JsonDict

DEMO_USER_ID = "alex_morgan_1001"
DEMO_EMAIL = "alex.morgan@example.com"
DEMO_PHONE = "+14155550142"
DEMO_ZIP = "94107"
DEMO_CREDIT_CARD_ID = "credit_card_1001001"
DEMO_GIFT_CARD_ID = "gift_card_1001002"
DEMO_GIFT_CARD_BALANCE = 150.0
DEMO_PENDING_ORDER_ID = "#W1234567"
DEMO_DELIVERED_ORDER_ID = "#W2345678"
DEMO_PROCESSED_ORDER_ID = "#W3456789"
DEMO_HIGH_VALUE_ORDER_ID = "#W4567890"
OTHER_USER_ID = "sam_lee_2002"
OTHER_EMAIL = "sam.lee@example.com"
OTHER_ZIP = "10001"
OTHER_PAYPAL_ID = "paypal_2002001"
OTHER_PENDING_ORDER_ID = "#W7654321"

CUSTOMER_COUNT = 60
ORDER_COUNT = 200

_COLORS = ("black", "white", "silver", "blue", "red", "green")
_SHOE_SIZES = ("7", "8", "9", "10", "11", "12")
_CATALOGUE: tuple[tuple[str, float, float, dict[str, tuple[str, ...]]], ...] = (
    ("Laptop", 1049.0, 2899.0, {
        "screen size": ("13-inch", "14-inch", "15-inch", "16-inch"),
        "processor": ("i5", "i7", "i9"), "ram": ("8GB", "16GB", "32GB"),
        "storage": ("256GB SSD", "512GB SSD", "1TB SSD"), "color": ("silver", "space grey")}),
    ("Smartphone", 399.0, 1199.0, {
        "color": _COLORS[:4], "storage": ("64GB", "128GB", "256GB"),
        "RAM": ("4GB", "6GB", "8GB"), "screen size": ("5.8-inch", "6.1-inch", "6.5-inch")}),
    ("Tablet", 249.0, 999.0, {
        "screen size": ("8-inch", "10-inch", "12-inch"), "storage": ("64GB", "128GB", "256GB"),
        "color": ("black", "silver", "gold")}),
    ("Wireless Earbuds", 59.0, 299.0, {
        "color": ("black", "white", "blue"), "battery life": ("4 hours", "6 hours", "8 hours"),
        "water resistance": ("IPX4", "IPX7", "not resistant")}),
    ("Headphones", 79.0, 399.0, {
        "type": ("over-ear", "on-ear", "in-ear"), "connectivity": ("wired", "wireless"),
        "color": ("black", "white", "red")}),
    ("Smart Watch", 149.0, 499.0, {
        "color": ("black", "silver", "gold"), "band material": ("silicone", "leather", "metal"),
        "display": ("LCD", "AMOLED")}),
    ("Bluetooth Speaker", 39.0, 249.0, {
        "color": _COLORS, "battery life": ("10 hours", "20 hours"),
        "water resistance": ("yes", "no")}),
    ("Mechanical Keyboard", 69.0, 229.0, {
        "switch type": ("linear", "tactile", "clicky"), "backlight": ("none", "white", "RGB"),
        "size": ("full size", "80%", "60%")}),
    ("Gaming Mouse", 29.0, 149.0, {
        "color": ("black", "white", "RGB"), "sensor type": ("optical", "laser"),
        "connectivity": ("wired", "wireless")}),
    ("Office Chair", 189.0, 549.0, {
        "material": ("mesh", "fabric", "leather"), "color": ("black", "gray", "blue"),
        "armrest": ("fixed", "adjustable")}),
    ("Desk Lamp", 24.0, 119.0, {
        "color": ("black", "white", "silver"), "brightness": ("low", "medium", "high"),
        "power source": ("AC adapter", "USB", "battery")}),
    ("Coffee Maker", 49.0, 299.0, {
        "color": ("black", "stainless steel"), "capacity": ("1 cup", "4 cups", "12 cups"),
        "type": ("drip", "espresso", "french press")}),
    ("Electric Kettle", 29.0, 149.0, {
        "capacity": ("1L", "1.5L", "2L"), "material": ("plastic", "stainless steel", "glass"),
        "color": ("white", "black", "silver")}),
    ("Water Bottle", 14.0, 49.0, {
        "capacity": ("500ml", "750ml", "1000ml"),
        "material": ("plastic", "stainless steel", "glass"), "color": _COLORS}),
    ("Backpack", 39.0, 189.0, {
        "color": ("black", "grey", "navy", "green"), "size": ("small", "medium", "large"),
        "material": ("nylon", "polyester", "leather"), "compartment": ("laptop", "hydration")}),
    ("Running Shoes", 69.0, 219.0, {
        "size": _SHOE_SIZES, "color": ("black", "white", "red", "blue"),
        "material": ("mesh", "synthetic")}),
    ("Hiking Boots", 99.0, 279.0, {
        "size": _SHOE_SIZES, "material": ("leather", "synthetic"), "waterproof": ("yes", "no")}),
    ("T-Shirt", 14.0, 45.0, {
        "color": _COLORS, "size": ("S", "M", "L", "XL"), "material": ("cotton", "polyester"),
        "style": ("crew neck", "v-neck")}),
    ("Yoga Mat", 19.0, 99.0, {
        "thickness": ("4mm", "6mm", "8mm"), "material": ("PVC", "natural rubber", "TPE"),
        "color": ("purple", "green", "blue", "pink")}),
    ("Air Purifier", 99.0, 499.0, {
        "room size": ("small", "medium", "large"), "filter type": ("HEPA", "carbon", "ionic"),
        "features": ("quiet operation", "smart sensors", "night mode")}),
)  # fmt: skip

_FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan", "Sophia", "Mason", "Isabella", "Lucas",
    "Mia", "Aiden", "Amelia", "James", "Harper", "Daniel", "Evelyn", "Mateo", "Chloe", "Yusuf",
    "Priya", "Omar", "Mei", "Raj", "Fatima", "Diego", "Hana", "Kofi", "Ingrid", "Tomas",
)  # fmt: skip
_LAST_NAMES = (
    "Johnson", "Garcia", "Smith", "Nguyen", "Patel", "Brown", "Kim", "Martinez", "Davis",
    "Lopez", "Wilson", "Anderson", "Thomas", "Hernandez", "Moore", "Silva", "Ito", "Khan",
    "Muller", "Rossi", "Clark", "Lewis", "Walker", "Young", "Ahmed", "Santos", "Chen", "Wright",
)  # fmt: skip
_STREETS = (
    "Maple Avenue", "Oak Street", "Pine Lane", "Cedar Road", "Elm Street", "Willow Lane",
    "Lakeview Drive", "Sunset Drive", "Hillcrest Avenue", "River Road", "Park Avenue",
    "Chestnut Street", "Highland Avenue", "Main Street", "Spruce Street", "Broadway",
)  # fmt: skip
_CITIES = (
    ("San Francisco", "CA", "941"), ("Los Angeles", "CA", "900"), ("Seattle", "WA", "981"),
    ("Portland", "OR", "972"), ("Denver", "CO", "802"), ("Austin", "TX", "787"),
    ("Chicago", "IL", "606"), ("Boston", "MA", "021"), ("New York", "NY", "100"),
    ("Philadelphia", "PA", "191"), ("Atlanta", "GA", "303"), ("Phoenix", "AZ", "850"),
)  # fmt: skip
_CARD_BRANDS = ("visa", "mastercard", "amex", "discover")
_STATUSES = ("pending", "processed", "delivered", "cancelled")
_STATUS_WEIGHTS = (35, 15, 40, 10)


class _Ids:
    """Unique random digit strings with a prefix."""

    def __init__(self, rng: random.Random, reserved: set[str] | None = None) -> None:
        self._rng = rng
        self._used: set[str] = set(reserved or ())

    def new(self, prefix: str, digits: int) -> str:
        """Return an unused ``prefix`` + `digits` random digits."""
        while True:
            value = prefix + str(self._rng.randrange(10 ** (digits - 1), 10**digits))
            if value not in self._used:
                self._used.add(value)
                return value


def _price(
    rng: random.Random,
    low: float,
    high: float,
    axes: dict[str, tuple[str, ...]],
    combo: tuple[str, ...],
) -> float:
    """Price a variant: later option values (bigger, faster) cost more, plus some noise."""
    pairs = zip(axes.values(), combo, strict=True)
    ranks = [values.index(value) / max(len(values) - 1, 1) for values, value in pairs]
    score = 0.85 * sum(ranks) / len(ranks) + rng.uniform(0.0, 0.15)
    return round(low + (high - low) * score, 2)


def _catalogue(rng: random.Random, ids: _Ids) -> dict[str, JsonDict]:
    products: dict[str, JsonDict] = {}
    for name, low, high, axes in _CATALOGUE:
        combos = list(itertools.product(*axes.values()))
        chosen = rng.sample(combos, min(len(combos), rng.randint(5, 9)))
        variants: dict[str, JsonDict] = {}
        for index, combo in enumerate(chosen):
            item_id = ids.new("", 10)
            variants[item_id] = {
                "item_id": item_id,
                "options": dict(zip(axes, combo, strict=True)),
                "available": index < 3 or rng.random() < 0.7,
                "price": _price(rng, low, high, axes, combo),
            }
        product_id = ids.new("", 10)
        products[product_id] = {"name": name, "product_id": product_id, "variants": variants}
    return products


def _address(rng: random.Random, city: tuple[str, str, str] | None = None) -> dict[str, str]:
    city_name, state, zip_prefix = city or rng.choice(_CITIES)
    suite = rng.choice(("", f"Suite {rng.randint(100, 999)}", f"Apt {rng.randint(1, 99)}"))
    return {
        "address1": f"{rng.randint(10, 999)} {rng.choice(_STREETS)}",
        "address2": suite,
        "city": city_name,
        "country": "USA",
        "state": state,
        "zip": zip_prefix + f"{rng.randint(0, 99):02d}",
    }


def _payment_method(rng: random.Random, source: str, method_id: str) -> JsonDict:
    if source == "credit_card":
        return {
            "source": source,
            "brand": rng.choice(_CARD_BRANDS),
            "last_four": f"{rng.randint(0, 9999):04d}",
            "id": method_id,
        }
    if source == "gift_card":
        return {"source": source, "balance": float(rng.randint(0, 300)), "id": method_id}
    return {"source": source, "id": method_id}


def _user(
    name: tuple[str, str], address: dict[str, str], email: str, methods: list[JsonDict]
) -> JsonDict:
    return {
        "name": {"first_name": name[0], "last_name": name[1]},
        "address": address,
        "email": email,
        "payment_methods": {method["id"]: method for method in methods},
        "orders": [],
    }


def _line(product: JsonDict, variant: JsonDict) -> JsonDict:
    return {
        "name": product["name"],
        "product_id": product["product_id"],
        "item_id": variant["item_id"],
        "price": variant["price"],
        "options": dict(variant["options"]),
    }


def _order(
    rng: random.Random,
    order_id: str,
    user_id: str,
    user: JsonDict,
    lines: list[JsonDict],
    status: str,
    payment_method_id: str,
) -> JsonDict:
    amount = round(sum(line["price"] for line in lines), 2)
    payments = [
        {"transaction_type": "payment", "amount": amount, "payment_method_id": payment_method_id}
    ]
    if status == "cancelled":
        payments.append({**payments[0], "transaction_type": "refund"})
    fulfillments = []
    if status in ("processed", "delivered"):
        tracking = str(rng.randrange(10**11, 10**12))
        fulfillments.append(
            {"tracking_id": [tracking], "item_ids": [line["item_id"] for line in lines]}
        )
    user["orders"].append(order_id)
    return {
        "order_id": order_id,
        "user_id": user_id,
        "address": dict(user["address"]),
        "items": lines,
        "fulfillments": fulfillments,
        "status": status,
        "payment_history": payments,
    }


def _pick(products: dict[str, JsonDict], name: str, nth: int = 0) -> JsonDict:
    product = next(p for p in products.values() if p["name"] == name)
    available = [v for v in product["variants"].values() if v["available"]]
    return _line(product, available[nth])


def _fixed_customers(
    rng: random.Random, products: dict[str, JsonDict]
) -> tuple[dict[str, JsonDict], dict[str, JsonDict]]:
    alex = _user(
        ("Alex", "Morgan"),
        {
            "address1": "500 Howard Street", "address2": "Suite 300", "city": "San Francisco",
            "country": "USA", "state": "CA", "zip": DEMO_ZIP,
        },
        DEMO_EMAIL,
        [
            {"source": "credit_card", "brand": "visa", "last_four": "4242",
             "id": DEMO_CREDIT_CARD_ID},
            {"source": "gift_card", "balance": DEMO_GIFT_CARD_BALANCE, "id": DEMO_GIFT_CARD_ID},
        ],
    )  # fmt: skip
    alex["phone"] = DEMO_PHONE
    sam = _user(
        ("Sam", "Lee"),
        {
            "address1": "75 Ninth Avenue", "address2": "Apt 12", "city": "New York",
            "country": "USA", "state": "NY", "zip": OTHER_ZIP,
        },
        OTHER_EMAIL,
        [{"source": "paypal", "id": OTHER_PAYPAL_ID}],
    )  # fmt: skip
    card = DEMO_CREDIT_CARD_ID
    specs: list[tuple[str, str, JsonDict, list[JsonDict], str, str]] = [
        (DEMO_PENDING_ORDER_ID, DEMO_USER_ID, alex,
         [_pick(products, "Office Chair"), _pick(products, "Bluetooth Speaker")], "pending", card),
        (DEMO_DELIVERED_ORDER_ID, DEMO_USER_ID, alex,
         [_pick(products, "Running Shoes"), _pick(products, "Water Bottle")], "delivered", card),
        (DEMO_PROCESSED_ORDER_ID, DEMO_USER_ID, alex,
         [_pick(products, "Mechanical Keyboard")], "processed", card),
        (DEMO_HIGH_VALUE_ORDER_ID, DEMO_USER_ID, alex,
         [_pick(products, "Laptop")], "delivered", card),
        (OTHER_PENDING_ORDER_ID, OTHER_USER_ID, sam,
         [_pick(products, "Backpack"), _pick(products, "T-Shirt", 1)], "pending", OTHER_PAYPAL_ID),
    ]  # fmt: skip
    orders = {spec[0]: _order(rng, *spec) for spec in specs}
    return {DEMO_USER_ID: alex, OTHER_USER_ID: sam}, orders


def generate_demo_data(seed: int = 7) -> dict[str, dict[str, JsonDict]]:
    """Return ``{"users", "orders", "products"}`` for the demo store, determined by `seed`."""
    rng = random.Random(seed)
    ids = _Ids(rng)
    products = _catalogue(rng, ids)
    users, orders = _fixed_customers(rng, products)
    taken_names = {("alex", "morgan"), ("sam", "lee")}
    user_ids = _Ids(rng, set(users))
    emails = {user["email"] for user in users.values()}
    while len(users) < CUSTOMER_COUNT:
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        if (first.lower(), last.lower()) in taken_names:
            continue
        taken_names.add((first.lower(), last.lower()))
        user_id = user_ids.new(f"{first.lower()}_{last.lower()}_", 4)
        email = f"{first.lower()}.{last.lower()}{rng.randint(1000, 9999)}@example.com"
        if email in emails:
            continue
        emails.add(email)
        sources = rng.sample(("credit_card", "paypal", "gift_card"), rng.randint(1, 3))
        methods = [_payment_method(rng, s, ids.new(f"{s}_", 7)) for s in sources]
        users[user_id] = _user((first, last), _address(rng), email, methods)
    order_ids = _Ids(rng, set(orders))
    catalogue = list(products.values())
    customers = [uid for uid in users if uid not in (DEMO_USER_ID, OTHER_USER_ID)]
    while len(orders) < ORDER_COUNT:
        user_id = rng.choice(customers)
        user = users[user_id]
        lines = []
        for product in rng.sample(catalogue, rng.randint(1, 4)):
            lines.append(_line(product, rng.choice(list(product["variants"].values()))))
        status = rng.choices(_STATUSES, weights=_STATUS_WEIGHTS)[0]
        method_id = rng.choice(list(user["payment_methods"]))
        order_id = order_ids.new("#W", 7)
        orders[order_id] = _order(rng, order_id, user_id, user, lines, status, method_id)
    return {"users": users, "orders": orders, "products": products}


def seed_store(store: SqliteOrderStore, seed: int = 7) -> None:
    """Replace the store's contents with the demo data for `seed`."""
    data = generate_demo_data(seed)
    store.load_tau(data["users"], data["orders"], data["products"])


def ensure_seeded(path: str | Path, seed: int = 7) -> SqliteOrderStore:
    """Open the store at `path`, loading the demo data only if it is empty (idempotent)."""
    if str(path) not in (":memory:", ""):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    store = SqliteOrderStore(path)
    if store.is_empty():
        data: dict[str, Any] = generate_demo_data(seed)
        store.load_tau(data["users"], data["orders"], data["products"], if_empty=True)
    return store
