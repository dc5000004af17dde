"""Interop check: the official py-clob-client-v2 against a running clob-sim.

Usage: python py_clob_interop.py BASE_URL
Prints one line per check ("ok <name>" / "FAIL <name>: <why>") and a closing
"interop: N passed, N failed" line; exits non-zero if anything failed.
"""
import json
import sys
import traceback
import urllib.parse
import urllib.request

from py_clob_client_v2.client import ClobClient
from py_clob_client_v2.clob_types import (
    ApiCreds,
    BalanceAllowanceParams,
    OpenOrderParams,
    OrderArgsV2,
    OrderPayload,
    OrderType,
    PostOrdersV2Args,
    TradeParams,
)
from py_clob_client_v2.exceptions import PolyApiException

HOST = sys.argv[1]
CHAIN = 137
ALICE = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"  # hardhat #0
BOB = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"    # hardhat #1
CAROL = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"  # hardhat #2

results = []


def check(name):
    def wrap(fn):
        try:
            fn()
            results.append((name, None))
            print(f"ok {name}", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
            detail = f"{type(error).__name__}: {error}"
            results.append((name, detail))
            print(f"FAIL {name}: {detail}", flush=True)
            traceback.print_exc(file=sys.stderr)
        return fn
    return wrap


def client(key):
    c = ClobClient(HOST, chain_id=CHAIN, key=key)
    c.set_api_creds(c.create_or_derive_api_key())
    return c


state = {}


@check("creates and derives API credentials")
def _():
    alice = client(ALICE)
    again = ClobClient(HOST, chain_id=CHAIN, key=ALICE).derive_api_key()
    assert again.api_key == alice.creds.api_key, "derive gives the created key"
    state["alice"] = alice
    state["bob"] = client(BOB)


@check("reads version, time, markets, book and tick size")
def _():
    alice = state["alice"]
    assert alice.get_ok() is not None
    assert alice.get_version() == 2
    assert int(alice.get_server_time()) > 1_700_000_000
    markets = alice.get_markets()
    market = markets["data"][0]
    state["token_up"] = market["tokens"][0]["token_id"]
    state["token_down"] = market["tokens"][1]["token_id"]
    state["condition"] = market["condition_id"]
    assert alice.get_tick_size(state["token_up"]) == "0.01"
    assert alice.get_neg_risk(state["token_up"]) is False
    book = alice.get_order_book(state["token_up"])
    assert book["asset_id"] == state["token_up"], book


@check("posts a resting limit order")
def _():
    bob = state["bob"]
    # Bob bids for Down; nobody sells Down, so it rests.
    signed = bob.create_order(OrderArgsV2(token_id=state["token_down"], price=0.45, size=20, side="BUY"))
    response = bob.post_order(signed, OrderType.GTC)
    assert response["success"] is True and response["status"] == "live", response
    state["resting"] = response["orderID"]
    book = bob.get_order_book(state["token_down"])
    assert any(level["price"] == "0.45" for level in book["bids"]), book


@check("a marketable order fills against it (mint across the two tokens)")
def _():
    alice = state["alice"]
    # BUY Up at 0.60 crosses Bob's BUY Down at 0.45 (0.60 + 0.45 >= 1): a pair is minted,
    # Alice pays 0.55 a share, Bob his 0.45.
    signed = alice.create_order(OrderArgsV2(token_id=state["token_up"], price=0.60, size=10, side="BUY"))
    response = alice.post_order(signed, OrderType.GTC)
    assert response["success"] is True and response["status"] == "matched", response
    assert response["tradeIDs"], response
    state["trade"] = response["tradeIDs"][0]


@check("reads orders and trades")
def _():
    alice, bob = state["alice"], state["bob"]
    orders = bob.get_open_orders(OpenOrderParams(asset_id=state["token_down"]))
    resting = [order for order in orders if order["id"] == state["resting"]]
    assert resting and resting[0]["size_matched"] == "10", orders
    assert bob.get_order(state["resting"])["id"] == state["resting"]
    trades = alice.get_trades(TradeParams(id=state["trade"]))
    assert trades and trades[0]["maker_orders"][0]["order_id"] == state["resting"], trades
    balance = alice.get_balance_allowance(BalanceAllowanceParams(asset_type="CONDITIONAL", token_id=state["token_up"], signature_type=0))
    assert balance["balance"] == "10000000", balance


@check("cancels the rest")
def _():
    bob = state["bob"]
    response = bob.cancel_order(OrderPayload(orderID=state["resting"]))
    assert response["canceled"] == [state["resting"]], response
    again = bob.cancel_order(OrderPayload(orderID=state["resting"]))
    assert state["resting"] in again["not_canceled"], again


def expect_venue_error(call, needle):
    try:
        result = call()
    except Exception as error:  # the client raises PolyApiException on a 4xx
        assert needle in str(error), f"expected {needle!r} in {error}"
        return
    raise AssertionError(f"accepted: {result}")


@check("a tampered signature is rejected")
def _():
    alice = state["alice"]
    signed = alice.create_order(OrderArgsV2(token_id=state["token_up"], price=0.30, size=10, side="BUY"))
    signed.makerAmount = str(int(signed.makerAmount) + 1)  # no longer what was signed
    expect_venue_error(lambda: alice.post_order(signed, OrderType.GTC), "invalid signature")


@check("a wrong API secret is rejected")
def _():
    alice = state["alice"]
    wrong = ClobClient(HOST, chain_id=CHAIN, key=ALICE,
                       creds=ApiCreds(alice.creds.api_key, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", alice.creds.api_passphrase))
    expect_venue_error(lambda: wrong.get_open_orders(), "401")


@check("an off-tick price is rejected")
def _():
    alice = state["alice"]
    # On a 0.005 market the client rounds prices to 3 decimals, not to the grid: 0.512 is
    # signed as is, and the venue must refuse it.
    market = next(m for m in alice.get_markets()["data"] if str(m["minimum_tick_size"]) == "0.005")
    token = market["tokens"][0]["token_id"]
    signed = alice.create_order(OrderArgsV2(token_id=token, price=0.512, size=10, side="BUY"))
    expect_venue_error(lambda: alice.post_order(signed, OrderType.GTC), "breaks minimum tick size rule: 0.005")


@check("an order for a Protocol-V2 market (position id, ExchangeV3) is accepted and fills")
def _():
    alice, bob = state["alice"], state["bob"]
    # Gamma's market object names the Protocol-V2 ids in `positionIds` (version "v2").
    query = urllib.parse.urlencode({"slug": "sim-static-v3"})
    with urllib.request.urlopen(f"{HOST}/events?{query}", timeout=5) as answer:
        market = json.load(answer)[0]["markets"][0]
    assert market["version"] == "v2", market
    yes, no = market["positionIds"]
    # position_id selects ExchangeV3 signing (domain "3") in the client.
    resting = bob.post_order(bob.create_order(OrderArgsV2(position_id=no, price=0.40, size=10, side="BUY")), OrderType.GTC)
    assert resting["success"] is True and resting["status"] == "live", resting
    taker = alice.post_order(alice.create_order(OrderArgsV2(position_id=yes, price=0.60, size=10, side="BUY")), OrderType.GTC)
    assert taker["success"] is True and taker["status"] == "matched", taker
    held = alice.get_balance_allowance(BalanceAllowanceParams(asset_type="CONDITIONAL-V2", token_id=yes, signature_type=0))
    assert held["balance"] == "10000000", held
    ctf = alice.get_balance_allowance(BalanceAllowanceParams(asset_type="CONDITIONAL", token_id=yes, signature_type=0))
    assert ctf["balance"] == "0", ctf


@check("a burst past the per-signer order bucket meets 429s")
def _():
    # A signer of its own, with a full Standard bucket (burst 60, 40 a second): 150 orders in
    # ten batches, sent back to back, need 2.25 s of refill beyond the burst.
    carol = client(CAROL)
    orders = [carol.create_order(OrderArgsV2(token_id=state["token_up"], price=0.01, size=5, side="BUY")) for _ in range(150)]
    statuses, refusal = [], None
    for start in range(0, len(orders), 15):
        batch = [PostOrdersV2Args(order=order, orderType=OrderType.GTC) for order in orders[start:start + 15]]
        try:
            carol.post_orders(batch)
            statuses.append(200)
        except PolyApiException as error:
            statuses.append(error.status_code)
            refusal = refusal or error
    assert statuses[:4] == [200] * 4, statuses
    assert 429 in statuses and refusal is not None, statuses
    assert "rate limit" in str(refusal.error_msg), refusal


passed = sum(1 for _, failure in results if failure is None)
failed = len(results) - passed
print(f"interop: {passed} passed, {failed} failed", flush=True)
sys.exit(0 if failed == 0 else 1)
