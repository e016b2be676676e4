"""Running Odoo and the simulators outside the test framework: for the benchmark and the proof.

* :func:`odoo_env` loads an Odoo registry from an odoo.conf and yields an environment on a
  real cursor (commits are real: this is what production does);
* :class:`SimulatorProcess` runs the simulators in a separate process (so that their
  memory and CPU are not the Odoo process's) and drives them through their control API;
* :class:`OdooServer` runs ``odoo-bin`` as a server process with cron workers, which can
  be killed with SIGKILL and restarted.
"""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def load_odoo(config_path):
    """Parse ``config_path`` once and return the ``odoo`` package, ready to open registries."""
    import odoo
    import odoo.modules.registry
    from odoo.tools import config

    if not config.get("_mlc_loaded"):
        config.parse_config(["-c", str(config_path), "--log-level=warn"])
        config["_mlc_loaded"] = True
    return odoo


def db_name():
    from odoo.tools import config

    name = config["db_name"]
    return name[0] if isinstance(name, list) else name


@contextlib.contextmanager
def odoo_env(config_path, context=None):
    """An environment as superuser on a fresh cursor; committed on success."""
    odoo = load_odoo(config_path)
    from odoo import SUPERUSER_ID, api

    registry = odoo.modules.registry.Registry(db_name())
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, dict(context or {}, tracking_disable=True))


class SimulatorProcess:
    """The JAGGAER, SPS and Oracle Fusion simulators (and the JAGGAER tenant Fusion syncs with) in
    their own process, on free loopback ports; with ``jde``, also the JD Edwards AIS simulator and
    the JAGGAER tenant of the JD Edwards manufacturer."""

    def __init__(self, demo=False, log_path=None, jde=False):
        self.jaggaer_port, self.sps_port = free_port(), free_port()
        self.fusion_port, self.fusion_jaggaer_port = free_port(), free_port()
        args = [sys.executable, "-m", "tests.simulators.serve"]
        args += ["--jaggaer-port", str(self.jaggaer_port), "--sps-port", str(self.sps_port)]
        args += [
            "--fusion-port",
            str(self.fusion_port),
            "--fusion-jaggaer-port",
            str(self.fusion_jaggaer_port),
        ]
        self.urls = {}
        if jde:
            self.jde_port, self.jaggaer_jde_port = free_port(), free_port()
            args += ["--jde-port", str(self.jde_port), "--jaggaer-jde-port", str(self.jaggaer_jde_port)]
            self.jde_url = self.urls["jde"] = f"http://127.0.0.1:{self.jde_port}"
            self.jaggaer_jde_url = self.urls["jaggaer_jde"] = f"http://127.0.0.1:{self.jaggaer_jde_port}"
        if demo:
            args.append("--demo")
        env = dict(os.environ, PYTHONPATH=str(REPO))
        # never a pipe nobody reads: once its buffer is full, the simulators would block on a log line
        log = open(log_path, "ab") if log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
        for port in (self.jaggaer_port, self.sps_port, self.fusion_port, self.fusion_jaggaer_port):
            wait_port(port)
        if jde:
            wait_port(self.jde_port)
            wait_port(self.jaggaer_jde_port)
        self.jaggaer_url = self.urls["jaggaer"] = f"http://127.0.0.1:{self.jaggaer_port}"
        self.sps_url = self.urls["sps"] = f"http://127.0.0.1:{self.sps_port}"
        self.fusion_url = self.urls["fusion"] = f"http://127.0.0.1:{self.fusion_port}"
        self.fusion_jaggaer_url = self.urls["fusion_jaggaer"] = f"http://127.0.0.1:{self.fusion_jaggaer_port}"

    def url(self, system):
        return self.urls[system]

    def control(self, system, path, payload=None, method="POST"):
        """``system``: jaggaer, sps, jde, jaggaer_jde (the JD Edwards manufacturer's JAGGAER), fusion
        or fusion_jaggaer (the JAGGAER Fusion syncs with)."""
        url = self.urls[system] + "/_sim/" + path
        # no body on a GET: the simulator does not read one, and closing a connection with unread
        # bytes makes the kernel reset it, which can cut a large answer short
        data = None if method == "GET" else json.dumps(payload or {})
        response = requests.request(method, url, data=data, timeout=300)
        response.raise_for_status()
        return response.json()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class OdooServer:
    """``odoo-bin`` serving a database with cron workers, as in production."""

    def __init__(self, odoo_src, config_path, cron_threads=1, log_path=None):
        self.odoo_src = Path(odoo_src)
        self.config_path = Path(config_path)
        self.cron_threads = cron_threads
        self.http_port = free_port()
        self.log_path = log_path
        self.process = None

    def start(self):
        args = [
            sys.executable,
            str(self.odoo_src / "odoo-bin"),
            "-c",
            str(self.config_path),
            f"--http-port={self.http_port}",
            f"--max-cron-threads={self.cron_threads}",
            "--log-level=info",
        ]
        env = dict(os.environ, PYTHONPATH=f"{self.odoo_src}:{REPO}")
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_port(self.http_port, timeout=60)
        return self

    def kill(self):
        """SIGKILL: no cleanup, no rollback handler, exactly like a power cut of the worker."""
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def rss_mb(self):
        import psutil

        return psutil.Process(self.process.pid).memory_info().rss / 2**20
