"""`run.py dashboard`: serve the live Solara dashboard (app.py) on a local address."""

from __future__ import annotations

import argparse
import ipaddress
import os
import subprocess
import sys
from pathlib import Path

from sim.errors import UserInputError

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "dashboard", help="serve the live dashboard in the browser (Solara; 127.0.0.1 by default)"
    )
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.set_defaults(func=cmd_dashboard)


def command(host: str, port: int) -> list[str]:
    """The `solara run` command line for these settings, checked."""
    if not 1 <= port <= 65535:
        raise UserInputError("--port", None, f"a port between 1 and 65535, got {port}")
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise UserInputError("--host", None,
                                 f"an IP address such as 127.0.0.1, got {host!r}") from None
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host, "--port", str(port),
            "--production", "--no-open"]


def cmd_dashboard(args: argparse.Namespace) -> int:
    argv = command(args.host, args.port)
    shown = "127.0.0.1" if args.host == "0.0.0.0" else args.host
    print(f"dashboard: http://{shown}:{args.port}/  (Ctrl-C stops it)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"note: listening on {args.host}, reachable from other machines", flush=True)
    # Solara's "This website runs on Solara" banner sits over the page's bottom-right corner
    env = {**os.environ, "SOLARA_THEME_SHOW_BANNER": "False",
           "SOLARA_THEME_TITLE": "Syrian war simulation"}
    return subprocess.call(argv, cwd=ROOT, env=env)
