"""Run the simulators as a standalone process (used by ``./mlc demo``).

    python -m tests.simulators.serve --demo --jaggaer-port 8071 --sps-port 8072 \
        [--jde-port 8073 --jaggaer-jde-port 8074 --fusion-port 8075 --fusion-jaggaer-port 8076]

All listen on 127.0.0.1 only. The JD Edwards AIS simulator runs when ``--jde-port`` is given, and
the JAGGAER tenant of the JD Edwards manufacturer (a second JAGGAER, apart from Odoo's) when
``--jaggaer-jde-port`` is. ``--demo`` loads the demo data the demo connections expect (the JD
Edwards demo's voucher orchestration then runs R04110Z itself, so that vouchers are posted at
once). ``--fusion-port`` starts the Oracle Fusion pod and identity domain simulator, and
``--fusion-jaggaer-port`` the JAGGAER tenant Fusion syncs with (a JAGGAER simulator of its own,
so that the Fusion demo world stays apart from the Odoo one). The control interface
(``/_sim/...``) stays available for driving them by hand:

    curl -X POST localhost:8071/_sim/jaggaer/purchase-orders/PO-DEMO-0001/status \
         -d '{"status": "Acknowledged"}'

"""

import argparse
import logging
import signal
import threading

from .fusion import FusionSimulator
from .fusion import demo_seed as fusion_demo_seed
from .fusion import jaggaer_demo_seed as fusion_jaggaer_demo_seed
from .jaggaer import JaggaerSimulator
from .jaggaer import demo_seed_full as jaggaer_demo_seed
from .jaggaer import jde_demo_seed as jaggaer_jde_demo_seed
from .jde import JdeSimulator
from .jde import demo_seed as jde_demo_seed
from .server import SimulatorServer
from .sps import SpsSimulator
from .sps import demo_seed as sps_demo_seed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jaggaer-port", type=int, default=8071)
    parser.add_argument("--sps-port", type=int, default=8072)
    parser.add_argument("--jde-port", type=int, help="also serve the JD Edwards AIS simulator on this port")
    parser.add_argument(
        "--jaggaer-jde-port",
        type=int,
        help="also serve the JAGGAER tenant of the JD Edwards demo on this port",
    )
    parser.add_argument(
        "--fusion-port", type=int, default=None, help="also serve the Oracle Fusion simulator"
    )
    parser.add_argument(
        "--fusion-jaggaer-port", type=int, default=None, help="also serve the JAGGAER tenant of Fusion"
    )
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
    if args.jde_port is not None:
        jde = JdeSimulator()
        if args.demo:
            jde_demo_seed(jde)
            jde.configure(auto_run_r04110z=True)
        servers.append(SimulatorServer(jde, port=args.jde_port).start())
    if args.jaggaer_jde_port is not None:
        plants = JaggaerSimulator()
        if args.demo:
            jaggaer_jde_demo_seed(plants)
        servers.append(SimulatorServer(plants, port=args.jaggaer_jde_port).start())
    if args.fusion_port is not None:
        fusion = FusionSimulator()
        if args.demo:
            fusion_demo_seed(fusion)
            fusion.configure(receipt_processing_delay=0)  # the demo pod processes receipts at once
        servers.append(SimulatorServer(fusion, port=args.fusion_port).start())
    if args.fusion_jaggaer_port is not None:
        fusion_jaggaer = JaggaerSimulator()
        fusion_jaggaer.name = "jaggaer-fusion"
        if args.demo:
            fusion_jaggaer_demo_seed(fusion_jaggaer)
        servers.append(SimulatorServer(fusion_jaggaer, port=args.fusion_jaggaer_port).start())
    for server in servers:
        logging.info("%s simulator listening on %s", server.app.name, server.url)

    stop = threading.Event()

    def request_stop(*_):
        # a second signal (a process group killed, then its members) ends the process at once:
        # setting the event again inside a handler that interrupted its first set would deadlock
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    stop.wait()
    for server in servers:
        server.stop()


if __name__ == "__main__":
    main()
