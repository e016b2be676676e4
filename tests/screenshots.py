"""Screenshots of the admin screens of a running demo, taken with headless Chromium.

    python -m tests.screenshots --url http://localhost:8069 --db mlc_demo --out docs/screenshots

Logs in through Odoo's JSON-RPC, waits until the demo's first runs have moved their documents,
then drives Chromium over the DevTools protocol at 1440 px wide: the overview, an audit line, a
dry run (after a vendor's phone number changed in Odoo), the review queue and a review item, a run's
log, and Settings > Connectors.
"""

import argparse
import base64
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

WIDTH, HEIGHT = 1440, 1000


class Odoo:
    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.session = requests.Session()
        answer = self.session.post(
            f"{self.url}/web/session/authenticate",
            json={"jsonrpc": "2.0", "params": {"db": db, "login": login, "password": password}},
            timeout=30,
        ).json()
        if answer.get("error"):
            raise SystemExit(f"login failed: {answer['error']['data']['message']}")

    def call(self, model, method, *args, **kwargs):
        answer = self.session.post(
            f"{self.url}/web/dataset/call_kw",
            json={
                "jsonrpc": "2.0",
                "params": {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
            },
            timeout=60,
        ).json()
        if answer.get("error"):
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def first(self, model, domain, order="id desc"):
        found = self.call(model, "search", domain, limit=1, order=order)
        return found[0] if found else None


class Chromium:
    """A headless Chromium driven over the DevTools protocol (one page)."""

    def __init__(self, cookie_url, session_id):
        self.profile = tempfile.mkdtemp(prefix="mlc-chromium-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        binary = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
        self.process = subprocess.Popen(
            [
                binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={self.profile}", f"--remote-debugging-port={port}",
                f"--window-size={WIDTH},{HEIGHT}", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        target = self._page_target(port)
        self.ws = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self.next_id = 0
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Network.setCookie", name="session_id", value=session_id, url=cookie_url)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    @staticmethod
    def _page_target(port):
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                targets = requests.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return pages[0]
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit("Chromium did not start")

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                return
            time.sleep(0.3)
        raise RuntimeError(f"{selector} did not appear")

    def click(self, selector):
        self.wait_for(selector)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def open(self, url, selector):
        self.send("Page.navigate", url=url)
        time.sleep(1)
        self.wait_for(selector)
        time.sleep(1.5)  # let the last values and fonts settle

    def shot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(data))
        print(f"wrote {path}")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=10)
            shutil.rmtree(self.profile, ignore_errors=True)


def wait_for_demo(odoo, timeout):
    """Until the demo's first runs moved their documents (and nothing is left to process)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        done = odoo.call("ml.connector.audit.line", "search_count", [("state", "=", "done")])
        pending = odoo.call("ml.connector.audit.line", "search_count", [("state", "=", "pending")])
        running = odoo.call("ml.connector.run", "search_count", [("state", "=", "running")])
        if done >= 10 and not pending and not running:
            return
        time.sleep(3)
    print("the demo is still busy; taking the screenshots anyway", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", default="mlc_demo")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--wait", type=int, default=240, help="seconds to wait for the demo's first runs")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    odoo = Odoo(args.url, args.db, args.login, args.password)
    wait_for_demo(odoo, args.wait)
    browser = Chromium(args.url, odoo.session.cookies.get("session_id"))
    base = f"{args.url}/odoo"
    try:
        browser.open(
            f"{base}/action-ml_connector.action_ml_connector_overview",
            ".o_ml_connector_overview .o_ml_health",
        )
        browser.shot(out / "overview.png")
        line = odoo.first("ml.connector.audit.line", [("state", "=", "failed")]) or odoo.first(
            "ml.connector.audit.line", [("state", "=", "done"), ("sent_payload", "!=", False)]
        )
        if line:
            browser.open(
                f"{base}/action-ml_connector.action_ml_connector_audit_line/{line}",
                ".o_form_view .o_notebook",
            )
            browser.shot(out / "audit-line.png")
        pushed = odoo.first(
            "ml.connector.audit.line",
            [
                ("flow_id.code", "=", "supplier:odoo>jaggaer"),
                ("state", "=", "done"),
                ("sent_payload", "!=", False),
            ],
        )
        if pushed:
            # a vendor's phone changes in Odoo: the dry run shows what its replay would send
            vendor = odoo.call("ml.connector.audit.line", "read", [pushed], ["res_id"])[0]["res_id"]
            odoo.call("res.partner", "write", [vendor], {"phone": "+1 919 555 0199"})
            browser.open(
                f"{base}/action-ml_connector.action_ml_connector_audit_line/{pushed}",
                ".o_form_view .o_notebook",
            )
            browser.click(".o_form_statusbar button[name=action_dry_run]")
            browser.wait_for(".modal .o_ml_connector_diff, .modal .o_field_html")
            time.sleep(1.5)
            browser.shot(out / "dry-run.png")
        browser.open(f"{base}/action-ml_connector.action_ml_connector_review", ".o_list_view")
        browser.shot(out / "review-queue.png")
        review = odoo.first("ml.connector.review", [("state", "=", "open")])
        if review:
            browser.open(
                f"{base}/action-ml_connector.action_ml_connector_review/{review}", ".o_form_view .o_notebook"
            )
            browser.shot(out / "review-item.png")
        run = odoo.first("ml.connector.run", [("collected_count", ">", 0)], order="id asc")
        if run:
            browser.open(
                f"{base}/action-ml_connector.action_ml_connector_run/{run}", ".o_form_view .o_notebook"
            )
            browser.shot(out / "run-log.png")
        browser.open(f"{base}/action-ml_connector.action_ml_connector_settings", "#ml_connector_key")
        browser.evaluate("document.querySelector('#ml_connector_key').scrollIntoView()")
        time.sleep(0.5)
        browser.shot(out / "settings.png")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
