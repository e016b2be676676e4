"""Run the JAGGAER and SPS simulators as a standalone process (used by ``./mlc demo``).

    python -m tests.simulators.serve --demo --jaggaer-port 8071 --sps-port 8072

Both listen on 127.0.0.1 only. ``--demo`` loads the demo data the Odoo demo connections
expect; the control interface (``/_sim/...``) stays available for driving them by hand:

    curl -X POST localhost:8071/_sim/jaggaer/purchase-orders/PO-DEMO-0001/status \
         -d '{"status": "Acknowledged"}'

"""

import argparse
import logging
import signal
import threading

from .jaggaer import JaggaerSimulator
from .jaggaer import demo_seed_full as jaggaer_demo_seed
from .server import SimulatorServer
from .sps import SpsSimulator
from .sps import demo_seed as sps_demo_seed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jaggaer-port", type=int, default=8071)
    parser.add_argument("--sps-port", type=int, default=8072)
    parser.add_argument("--demo", action="store_true", help="load the demo data")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    jaggaer, sps = JaggaerSimulator(), SpsSimulator()
    if args.demo:
        jaggaer_demo_seed(jaggaer)
        sps_demo_seed(sps)
    servers = [
        SimulatorServer(jaggaer, port=args.jaggaer_port).start(),
        SimulatorServer(sps, port=args.sps_port).start(),
    ]
    for server in servers:
        logging.info("%s simulator listening on %s", server.app.name, server.url)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
