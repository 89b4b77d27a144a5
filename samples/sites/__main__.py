"""Serve the fixture sites in the foreground: ``python -m samples.sites ROOT [--port N]``.

Prints a config.yaml fragment (crawler + sources) that points the crawler at them."""

from __future__ import annotations

import argparse
import time

import yaml

from . import FixtureSites


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m samples.sites")
    parser.add_argument("root", help="directory for the generated sites")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--bulk", type=int, default=0, help="add a site with N report links")
    args = parser.parse_args()
    with FixtureSites(args.root, port=args.port, bulk_reports=args.bulk) as sites:
        cfg = sites.config_dict("./data")
        del cfg["storage"]
        print(yaml.safe_dump(cfg, sort_keys=False), flush=True)
        print(f"# serving on 127.0.0.1:{sites.port}; Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
