"""A benchmark's server process: started in its own session, measured, stopped.

`tandem_server` starts `tandem serve` the way the benchmarks do (loopback, a free port, local
auth, the rate limit out of the way), and `customer_token` signs the demo customer's token
with the data folder's local key.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import httpx

from bench.load_targets import LOOPBACK, free_port, http_client

CUSTOMER = "alex_morgan_1001"


class ServerProcess:
    """A server run as its own process group, its stdout and stderr captured to files."""

    def __init__(
        self, name: str, argv: Sequence[str], env: dict[str, str], cwd: Path, log_dir: Path
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = {**os.environ, **env}
        self.cwd = cwd
        self.stdout_path = log_dir / f"{name}.stdout.log"
        self.stderr_path = log_dir / f"{name}.stderr.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._logs: list[IO[bytes]] = []

    @property
    def pid(self) -> int | None:
        """The server's process id, once started."""
        return self._process.pid if self._process else None

    def start(self) -> None:
        """Launch the server in a new session, so Ctrl-C reaches only the benchmark."""
        self._logs = [self.stdout_path.open("wb"), self.stderr_path.open("wb")]
        self._process = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._logs[0],
            stderr=self._logs[1],
            start_new_session=True,
        )

    async def wait_ready(self, base_url: str, path: str, timeout: float) -> float:
        """Poll `base_url` + `path` until it answers 200; return the seconds it took."""
        started = time.perf_counter()
        async with http_client(base_url, 4) as client:
            while time.perf_counter() - started < timeout:
                if self._process is None or self._process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited during startup; see {self.stderr_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(path, timeout=5.0)).status_code == 200:
                        return time.perf_counter() - started
                await asyncio.sleep(0.25)
        raise TimeoutError(f"{self.name} not ready after {timeout:.0f} s; see {self.stderr_path}")

    def _status(self, key: str, pid: int | None = None) -> int | None:
        """One numeric field of /proc/PID/status (memory figures are in KiB)."""
        pid = pid or self.pid
        if pid is None:
            return None
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        except OSError:
            return None
        for line in lines:
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
        return None

    def memory_mib(self, key: str) -> float | None:
        """A memory figure (`VmHWM` peak, `VmRSS` now) summed over the server's processes, MiB."""
        figures = [self._status(key, pid) for pid in self.processes()]
        known = [kib for kib in figures if kib is not None]
        return sum(known) / 1024 if known else None

    def processes(self) -> list[int]:
        """The server's process id and those of its descendants (worker processes)."""
        if self.pid is None:
            return []
        found, pending = [], [self.pid]
        while pending:
            pid = pending.pop()
            found.append(pid)
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            pending.extend(int(child) for child in children)
        return found

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) the server and its worker processes have used so far."""
        total, seen = 0.0, False
        for pid in self.processes():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            seen = True
        return total if seen else None

    async def peak_threads(self, stop: asyncio.Event, every: float = 0.2) -> int:
        """Sample the process's thread count until `stop` is set; return the highest seen."""
        peak = 0
        while not stop.is_set():
            peak = max(peak, sum(self._status("Threads", pid) or 0 for pid in self.processes()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
        return peak

    def stop(self, grace: float = 15.0) -> int | None:
        """SIGTERM the process group, SIGKILL it after `grace` seconds; return the exit code."""
        process = self._process
        if process is None:
            return None
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        for log in self._logs:
            log.close()
        return process.returncode


def tandem_server(
    repo: Path, workdir: Path, data_dir: Path, model: str, workers: int | None = None
) -> tuple[ServerProcess, str]:
    """`tandem serve` on a free loopback port over `data_dir` (not started), and its URL."""
    port = free_port()
    argv = [str(repo / ".venv" / "bin" / "tandem"), "serve", "--host", LOOPBACK]
    argv += ["--port", str(port), *(("--workers", str(workers)) if workers else ())]
    env = {
        "TANDEM_DATA_DIR": str(data_dir),
        "TANDEM_MODEL": model,
        "TANDEM_RATE_LIMIT_PER_MINUTE": "100000000",
        "TANDEM_AUTH_MODE": "local",
    }
    return ServerProcess("tandem", argv, env, repo, workdir), f"http://{LOOPBACK}:{port}"


def customer_token(data_dir: Path, customer: str = CUSTOMER) -> str:
    """A customer token signed with `data_dir`'s local issuer key."""
    from config.settings import Settings
    from server.auth.local_issuer import issuer_from_settings

    issuer = issuer_from_settings(Settings(data_dir=data_dir, auth_mode="local"))
    return issuer.issue(customer, "customer", customer_id=customer)
