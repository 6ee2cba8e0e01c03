"""``python -m simulator``: see ``python -m simulator --help``."""

from __future__ import annotations

import asyncio
import logging
import sys

from simulator.config import ConfigError, load_settings
from simulator.runner import Simulator, install_signal_handlers


async def _main(simulator: Simulator) -> None:
    install_signal_handlers(simulator.stop)
    await simulator.run()


def main(argv: list[str] | None = None) -> int:
    try:
        settings, given = load_settings(argv)
    except ConfigError as exc:
        print(f"python -m simulator: invalid option: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    asyncio.run(_main(Simulator(settings, send_scenario="scenario" in given)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
