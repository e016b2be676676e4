"""Run a simulator WSGI app on a free loopback port in a background thread."""

import threading

from werkzeug.serving import WSGIRequestHandler, make_server


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request: the simulator keeps its own request log."""

    def log_request(self, *args, **kwargs):
        pass

    def date_time_string(self, timestamp=None):
        # the Date header (RFC 9110 §6.6.1) on the simulated clock, like the records' stamps
        clock = getattr(self.server.app, "clock", None)
        if timestamp is None and clock is not None:
            timestamp = clock.now().timestamp()
        return super().date_time_string(timestamp)


class SimulatorServer:
    """``with SimulatorServer(app) as server: server.url`` -> ``http://127.0.0.1:<port>``."""

    def __init__(self, app, host="127.0.0.1", port=0):
        self.app = app
        self._server = make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"sim-{app.name}-{self.port}", daemon=True
        )

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
