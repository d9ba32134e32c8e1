"""The web console: its routes over plain HTTP, then the page itself in a real headless Chromium."""

from __future__ import annotations

import http.client
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server.conftest import ROOT, make_client
from tests.server.webdriver import Browser, browser_missing, start_browser
from theorydb_mocks.emulator.admin import emulator_version
from theorydb_mocks.emulator.console import console_asset
from theorydb_mocks.emulator.server import EmulatorServer

# THEORYDB_CONSOLE_SCREENSHOT=docs/console.png refreshes the README's picture from this test.
SCREENSHOT_TO = os.environ.get("THEORYDB_CONSOLE_SCREENSHOT")


def get(endpoint: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data


def make_orders(client: Any, *, customers: int = 2, per_customer: int = 6) -> None:
    """``orders`` keyed by customer and number, a GSI on status, a stream; numbered items."""
    client.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    for customer in range(1, customers + 1):
        for number in range(per_customer):
            client.put_item(
                TableName="orders",
                Item={
                    "pk": {"S": f"customer#{customer}"},
                    "sk": {"N": str(number)},
                    "status": {"S": "open" if number % 2 else "shipped"},
                    "total": {"N": str(10 * number)},
                    "lines": {"L": [{"M": {"sku": {"S": f"sku-{number}"}, "qty": {"N": "1"}}}]},
                },
            )


# --- routes -----------------------------------------------------------------------------------------


def test_browsers_get_the_console_other_clients_the_health_line(ddb_server_endpoint: str) -> None:
    status, headers, body = get(ddb_server_endpoint, "/", {"Accept": "text/html,application/xhtml+xml"})
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert b"/_theorydb/console/console.js" in body
    assert f'TableTheory emulator <span class="version">{emulator_version()}</span>'.encode() in body
    assert get(ddb_server_endpoint, "/")[2] == b"healthy: dynamodb.us-east-1.amazonaws.com "
    assert get(ddb_server_endpoint, "/_theorydb/console/")[2] == body


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("console.js", "text/javascript; charset=utf-8"), ("console.css", "text/css; charset=utf-8")],
)
def test_console_assets(ddb_server_endpoint: str, name: str, content_type: str) -> None:
    status, headers, body = get(ddb_server_endpoint, f"/_theorydb/console/{name}")
    assert (status, headers["content-type"]) == (200, content_type)
    assert body == (ROOT / "theorydb_mocks" / "console" / name).read_bytes() == console_asset(name)


def test_ledger_route_answers_the_addressed_database() -> None:
    with EmulatorServer(db_per_access_key=True) as server:
        client = make_client(server.endpoint_url, aws_access_key_id="alice")
        make_orders(client, customers=1, per_customer=2)
        client.get_item(TableName="orders", Key={"pk": {"S": "customer#1"}, "sk": {"N": "0"}})
        signed = {
            "Authorization": "AWS4-HMAC-SHA256 Credential=alice/20240101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0"
        }
        status, headers, body = get(server.endpoint_url, "/_theorydb/ledger", signed)
        assert (status, headers["content-type"]) == (200, "application/json")
        ledger = json.loads(body)
        totals = {(e["operation"], e["table"], e["index"], e["kind"]): e["units"] for e in ledger["totals"]}
        assert totals == {
            ("PutItem", "orders", None, "write"): 2.0,
            ("PutItem", "orders", "by-status", "write"): 2.0,
            ("GetItem", "orders", None, "read"): 0.5,
        }
        assert [e["operation"] for e in ledger["recent"]] == ["PutItem"] * 4 + ["GetItem"]
        other = json.loads(get(server.endpoint_url, "/_theorydb/ledger")[2])  # unsigned: another database
        assert other == {"totals": [], "recent": []}


def test_ledger_totals_count_folded_entries() -> None:
    from theorydb_mocks.emulator.ledger import CapacityLedger

    ledger = CapacityLedger(keep=2)
    for _ in range(7):
        ledger.record("PutItem", {"TableName": "t", "CapacityUnits": 1.0})
    assert len(ledger.entries) < 7
    assert [(e.operation, e.units) for e in ledger.totals()] == [("PutItem", 7.0)]


# --- in a browser -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    missing = browser_missing()
    if missing is not None:
        pytest.skip(missing)
    with start_browser() as started:
        yield started


ROWS = """
    const inner = (title) => { const value = JSON.parse(title); return value[Object.keys(value)[0]]; };
    return [...document.querySelectorAll('#results tbody tr')]
        .map(r => [...r.cells].map(c => c.title ? inner(c.title) : ''))
        .map(r => r.map(v => typeof v === 'string' ? v : JSON.stringify(v)));
"""


def rows(browser: Browser) -> list[list[str]]:
    """The result table's cells, each value without its type (``{"S": "a"}`` is ``a``)."""
    found: list[list[str]] = browser.run(ROWS)
    return found


def status_text(browser: Browser) -> str:
    return str(browser.run("return document.getElementById('status').textContent"))


def choose(browser: Browser, select: str, value: str) -> None:
    browser.run(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];"
        "s.dispatchEvent(new Event('change'));",
        select,
        value,
    )


def on_page(browser: Browser, page: int) -> Callable[[], bool]:
    return lambda: f"page {page}," in status_text(browser)


def run_and_wait(browser: Browser, expected: str) -> None:
    browser.run("document.getElementById('status').textContent = ''")
    browser.find("#run").click()
    browser.wait(lambda: expected in status_text(browser), what=expected)


def test_console_lists_queries_edits_and_charts(browser: Browser, tmp_path: Path) -> None:
    with EmulatorServer() as server:
        client = make_client(server.endpoint_url)
        make_orders(client)
        client.create_table(
            TableName="empty",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        browser.open(server.endpoint_url + "/")

        # The tables, with their keys, indexes and counts.
        browser.wait(lambda: status_text(browser) == "2 tables", what="the table list")
        listed = browser.find_all("#tables li")
        assert [item.text.split("\n") for item in listed] == [
            ["0 items", "empty", "id"],
            ["12 items", "orders", "pk, sk · 1 index"],
        ]
        browser.find("#tables li[data-table=orders]").click()
        browser.wait(lambda: "Scan of orders: page 1, 12 items" in status_text(browser), what="the scan")
        summary = browser.find("#table-summary").text
        assert "pk (S), sk (N)" in summary and "GSI by-status (status; KEYS_ONLY; 12 items)" in summary

        # Query with a key condition on the sort key.
        browser.find("#mode-query").click()
        browser.find("#pk-value").type("customer#2")
        choose(browser, "#sk-op", "between")
        browser.find("#sk-value").type("1")
        browser.find("#sk-value2").type("3")
        run_and_wait(browser, "Query of orders: page 1, 3 items (3 read)")
        assert [(r[0], r[1]) for r in rows(browser)] == [
            ("customer#2", "1"),
            ("customer#2", "2"),
            ("customer#2", "3"),
        ]

        # A filter, descending, paginated two at a time.
        choose(browser, "#sk-op", "")
        browser.find("#filter").type("#s = :s")
        browser.find("#filter-names").type('{"#s": "status"}')
        browser.find("#filter-values").type('{":s": {"S": "open"}}')
        browser.find("#descending").click()
        browser.find("#page-size").clear()
        browser.find("#page-size").type("2")
        run_and_wait(browser, "Query of orders: page 1, 1 items (2 read)")
        assert [r[1] for r in rows(browser)] == ["5"]
        pages = [[r[1] for r in rows(browser)]]
        while browser.find("#next-page").property("disabled") is False:
            page = len(pages) + 1
            browser.find("#next-page").click()
            browser.wait(on_page(browser, page), what=f"page {page}")
            pages.append([r[1] for r in rows(browser)])
        assert pages == [["5"], ["3"], ["1"], []]  # a page that ends on the last item still has a next page
        browser.find("#prev-page").click()
        browser.wait(lambda: "page 3," in status_text(browser), what="the previous page")
        assert [r[1] for r in rows(browser)] == ["1"]

        # An index query (keys only) opens the whole item from the table.
        browser.find("#filter").clear()
        browser.find("#descending").click()
        browser.find("#page-size").clear()
        browser.find("#page-size").type("25")
        choose(browser, "#index", "by-status")
        browser.find("#pk-value").clear()
        browser.find("#pk-value").type("shipped")
        run_and_wait(browser, "Query of orders: page 1, 6 items")
        browser.find_all("#results tbody tr")[0].click()
        editor = browser.find("#item-json")
        browser.wait(lambda: editor.property("value"), what="the item editor")
        opened = json.loads(editor.property("value"))
        stored = client.get_item(TableName="orders", Key={"pk": opened["pk"], "sk": opened["sk"]})["Item"]
        assert opened["lines"] == {
            "L": [{"M": {"sku": {"S": f"sku-{opened['sk']['N']}"}, "qty": {"N": "1"}}}]
        }
        assert (
            client.get_item(TableName="orders", Key={"pk": opened["pk"], "sk": opened["sk"]})["Item"]
            == stored
        )
        browser.screenshot(tmp_path / "console.png")
        if SCREENSHOT_TO:
            shutil.copyfile(tmp_path / "console.png", ROOT / SCREENSHOT_TO)

        # Edit it as DynamoDB JSON and save; then a bad edit is refused with the service's message.
        edited = {**opened, "status": {"S": "returned"}, "note": {"SS": ["fragile", "gift"]}}
        editor.clear()
        editor.type(json.dumps(edited))
        browser.find("#save-item").click()
        browser.wait(lambda: status_text(browser).startswith("Saved"), what="the save")
        key = {"pk": opened["pk"], "sk": opened["sk"]}
        assert client.get_item(TableName="orders", Key=key)["Item"]["note"] == {"SS": ["fragile", "gift"]}
        editor.clear()
        editor.type(json.dumps({**edited, "sk": {"S": "not a number"}}))
        browser.find("#save-item").click()
        browser.wait(lambda: "ValidationException" in status_text(browser), what="the refusal")
        assert "error" in str(browser.find("#status").property("className"))

        # A new item, then deleting it.
        browser.find("#new-item").click()
        editor.clear()
        editor.type(json.dumps({"pk": {"S": "customer#9"}, "sk": {"N": "1"}, "status": {"S": "open"}}))
        browser.find("#save-item").click()
        browser.wait(lambda: status_text(browser).startswith("Saved"), what="the new item")
        assert "Item" in client.get_item(
            TableName="orders", Key={"pk": {"S": "customer#9"}, "sk": {"N": "1"}}
        )
        browser.find("#delete-item").click()
        browser.wait(lambda: status_text(browser).startswith("Deleted"), what="the deletion")
        assert "Item" not in client.get_item(
            TableName="orders", Key={"pk": {"S": "customer#9"}, "sk": {"N": "1"}}
        )

        # The table's stream records.
        browser.find("#stream-tab").click()
        info = browser.wait(lambda: browser.find("#stream-info").text, what="the stream")
        assert "NEW_AND_OLD_IMAGES stream" in info and "15 records in 1 shard" in info
        events = browser.run(
            "return [...document.querySelectorAll('#stream-records tbody tr')]"
            ".map(r => r.cells[1].textContent)"
        )
        assert events == ["INSERT"] * 12 + ["MODIFY", "INSERT", "REMOVE"]

        # The capacity ledger as a chart.
        browser.find("#show-ledger").click()
        browser.wait(lambda: "Capacity ledger:" in status_text(browser), what="the ledger")
        labels = browser.run(
            "return [...document.querySelectorAll('#ledger-chart > text')].map(t => t.textContent)"
        )
        assert "orders · PutItem" in labels and "orders/by-status · PutItem" in labels
        assert browser.run("return document.querySelectorAll('#ledger-recent rect').length") > 10
        browser.screenshot(tmp_path / "ledger.png")
    assert (tmp_path / "console.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_console_errors_are_shown_not_thrown(browser: Browser) -> None:
    with EmulatorServer() as server:
        make_orders(make_client(server.endpoint_url), customers=1, per_customer=1)
        browser.open(server.endpoint_url + "/")
        browser.wait(lambda: browser.find_all("#tables li"), what="the table list")
        browser.find("#tables li[data-table=orders]").click()
        browser.wait(lambda: "Scan of orders" in status_text(browser), what="the scan")
        browser.find("#filter").type("no such = syntax")
        run_and_wait(browser, "Scan: ValidationException: Invalid FilterExpression")


def test_a_page_on_another_origin_calls_the_emulator_through_cors(browser: Browser) -> None:
    """A real browser fetch with SDK-style headers: the preflight is answered only with --cors."""
    script = """
        const done = arguments[arguments.length - 1];
        fetch(arguments[0] + "/", {method: "POST", body: "{}", headers: {
            "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": "AWS4-HMAC-SHA256 Credential=k/20240101/us-east-1/dynamodb/aws4_request, x"}})
          .then(r => r.json().then(body => done({status: r.status, body,
                                                 id: r.headers.get("x-amzn-RequestId")})))
          .catch(err => done({error: String(err)}));
    """
    with (
        EmulatorServer() as page,
        EmulatorServer(cors=["*"]) as open_to_all,
        EmulatorServer() as closed,
        EmulatorServer(cors=[page.endpoint_url]) as open_to_page,
    ):
        make_orders(make_client(open_to_page.endpoint_url), customers=1, per_customer=1)
        browser.open(page.endpoint_url + "/")
        browser.wait(lambda: "No tables" in status_text(browser), what="the page")
        answer = browser.run_async(script, open_to_page.endpoint_url)
        assert answer["status"] == 200 and answer["body"] == {"TableNames": ["orders"]}
        assert len(answer["id"]) == 52  # exposed to the page
        assert browser.run_async(script, open_to_all.endpoint_url)["body"] == {"TableNames": []}
        refused = browser.run_async(script, closed.endpoint_url)
        assert refused == {"error": "TypeError: Failed to fetch"}
