"""The reliability suite (tests/reliability), longer: rounds of generated MCP calls, a crowd of
processes and servers killed mid-batch, until the time is up.

    .venv/bin/python bench/soak.py [--minutes 10] [--fuzz-cases 2000] [--processes 8]
                                   [--operations 200] [--kills 1] [--seed 1] [--data-dir DIR]

Each round, on fresh databases (the whole plan deployed with the client's deployer, on the
embedded PostgreSQL of the test suite, or VESTIGE_TEST_DSN): --fuzz-cases generated calls over
stdio and as many over HTTP (test_fuzz_mcp.fuzz), a crowd of --processes processes (half through
the client, half through `vestige serve`) x --operations operations (test_concurrency.crowd), and
--kills SIGKILLs mid-batch of each server kind (test_kill.fault_of). The seed moves by one each
round, so every round draws other calls and another mix. Each check of the tests runs as it does
there; a failed check is printed and counted, and the soak goes on. It prints each round's
figures, the totals as a `reliability:` block, and exits 1 when a check failed.
"""

from __future__ import annotations

import argparse
import functools
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

# The tests' own modules (tests/reliability and the server helpers of tests/test_serve.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common
from reliability import test_concurrency, test_fuzz_mcp, test_kill
from reliability.conftest import Store, http_server, prepare_store, serve_process, stdio_server
from test_serve import stop


class Soak:
    """The totals over the rounds, and the failed checks."""

    def __init__(self) -> None:
        self.totals: Counter[str] = Counter()
        self.failures: list[str] = []

    def phase(self, name: str, run: Callable[[], str]) -> None:
        """Run one phase; print its figure line, or the check that failed."""
        started = time.monotonic()
        try:
            line = run()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a failed check (pytest.fail raises a BaseException too)
            while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
                exc = exc.exceptions[0]  # the servers' task groups wrap what failed
            failure = f"{name}: {type(exc).__name__}: {str(exc)[:1000]}"
            self.failures.append(failure)
            print(f"  FAILED after {time.monotonic() - started:.0f} s: {failure}", flush=True)
            return
        print(f"  {name} ({time.monotonic() - started:.0f} s): {line}", flush=True)


def fuzz_phase(soak: Soak, store: Store, home: Path, *, transport: str, cases: int, seed: int) -> str:
    server = stdio_server(store, home) if transport == "stdio" else http_server(store, home)
    with server as target:
        tally = test_fuzz_mcp.fuzz(target, store, cases, seed)
    test_fuzz_mcp.check_run(tally, cases)
    soak.totals[f"fuzz {transport} cases"] += tally.cases
    return tally.line()


def crowd_phase(soak: Soak, store: Store, home: Path, *, processes: int, operations: int, seed: int) -> str:
    server = serve_process(store, home)
    try:
        outcome = test_concurrency.crowd(store, server, processes, operations, seed)
    finally:
        stop(server.process)
    soak.totals["crowd operations"] += sum(sum(report.done.values()) for report in outcome.reports)
    soak.totals["crowd lost updates"] += outcome.lost_updates
    soak.totals["crowd errors"] += len(outcome.errors)
    test_concurrency.check(outcome)
    return outcome.line()


def kill_phase(soak: Soak, store: Store, home: Path, *, transport: str) -> str:
    fault = test_kill.fault_of(store, home, transport)
    soak.totals["faults injected"] += 1
    soak.totals["writes kept by a killed batch"] += fault.kept
    soak.totals["committed writes lost"] += fault.lost
    test_kill.check_fault(fault)
    return fault.line()


def on_fresh_store(server: str, run: Callable[[Store, Path], str]) -> Callable[[], str]:
    """The phase, on a fresh database (dropped after it) and a temporary home."""

    def phase() -> str:
        with (
            common.fresh_database(server, "soak", whole_plan=True) as conninfo,
            tempfile.TemporaryDirectory() as home,
        ):
            return run(prepare_store(conninfo), Path(home))

    return phase


def one_round(soak: Soak, args: argparse.Namespace, server: str, seed: int) -> None:
    for transport in ("stdio", "http"):
        fuzz = functools.partial(fuzz_phase, soak, transport=transport, cases=args.fuzz_cases, seed=seed)
        soak.phase(f"fuzz {transport}", on_fresh_store(server, fuzz))
    crowd = functools.partial(
        crowd_phase, soak, processes=args.processes, operations=args.operations, seed=seed
    )
    soak.phase("concurrency", on_fresh_store(server, crowd))
    for _ in range(args.kills):
        for transport in ("stdio", "http"):
            kill = functools.partial(kill_phase, soak, transport=transport)
            soak.phase(f"kill {transport}", on_fresh_store(server, kill))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="rounds start until this time is up")
    parser.add_argument("--fuzz-cases", type=int, default=2000, help="generated calls per transport a round")
    parser.add_argument(
        "--processes", type=int, default=8, help="processes of the crowd (half client, half http)"
    )
    parser.add_argument("--operations", type=int, default=200, help="operations per process")
    parser.add_argument("--kills", type=int, default=1, help="SIGKILLs mid-batch of each server kind a round")
    parser.add_argument("--seed", type=int, default=1, help="the first round's seed (then +1 a round)")
    parser.add_argument("--data-dir", help="the embedded PostgreSQL's data directory")
    args = parser.parse_args()
    # A SIGTERM ends the soak like Ctrl-C: the servers it started are stopped, its databases dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    server = common.server_conninfo(args.data_dir)
    soak = Soak()
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    while rounds == 0 or time.monotonic() < deadline:
        print(f"round {rounds + 1} (seed {args.seed + rounds})", flush=True)
        one_round(soak, args, server, args.seed + rounds)
        rounds += 1

    print("\nreliability:")
    print(f"  rounds: {rounds} in {args.minutes:g} min (seeds {args.seed}-{args.seed + rounds - 1})")
    for name, value in soak.totals.items():
        print(f"  {name}: {value}")
    print(f"  failed checks: {len(soak.failures)}")
    for failure in soak.failures:
        print(f"    {failure}")
    return 1 if soak.failures else 0


if __name__ == "__main__":
    sys.exit(main())
