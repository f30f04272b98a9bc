"""Run Home Assistant as a real, separate process, for tests and scripts.

The normal test suite runs Home Assistant inside pytest. Some promises can only
be checked against a real process: that a logged entry survives the process
being killed, that the REST and websocket APIs behave as users reach them.
This module starts such a process on a throw-away config folder, bound to
127.0.0.1 only, and talks to it over HTTP with a real user's token.

Usage from a script or a test::

    config = Path(tempfile.mkdtemp())
    write_config(config)
    hass = HassProcess(config)           # a free port is picked
    hass.start()
    hass.onboard()                       # creates the owner, stores the tokens
    entry_id = hass.create_config_entry(
        "migraine_tracker",
        [{"name": "Alex"}, {"medication_name": "Magnesium", "dose_mg": 400, "doses_per_day": 1}],
    )
    hass.call_service("migraine_tracker", "log_dose", {"config_entry_id": entry_id})
    hass.kill()                          # SIGKILL, no clean shutdown
    hass.start()                         # logs in again with the stored refresh token
    hass.stop()

Only the standard library, `requests` and `aiohttp` (both installed with Home
Assistant) are used.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
import contextlib
import json
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import time
from typing import Any, Self

import aiohttp
import requests

REPO = Path(__file__).resolve().parents[2]
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
HOST = "127.0.0.1"
AUTH_FILE = ".test_auth.json"
HTTP_FILE = "test_http.yaml"
OUTPUT_FILE = "hass.out"

# Only what the tests need: the API, config flows, users and onboarding.
# No default_config: no recorder, no frontend, no discovery, so it starts fast.
CONFIGURATION = """\
# Written by tests/live/hass_process.py for a test run; safe to delete.
homeassistant:
  name: Test
  time_zone: Europe/Berlin
  unit_system: metric
  country: DE
  currency: EUR
  latitude: 52.52
  longitude: 13.40
  elevation: 34

http: !include {http_file}
api:
config:
onboarding:
person:
websocket_api:

logger:
  default: warning
  logs:
    custom_components.migraine_tracker: info
"""


class HassError(Exception):
    """Home Assistant answered a request with an error status."""

    def __init__(self, status: int, body: str, what: str) -> None:
        """Keep the status and body of the failed answer."""
        super().__init__(f"{what}: HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def write_config(config_dir: Path, extra_yaml: str = "", *, port: int = 8123) -> None:
    """Write a minimal configuration.yaml and link the repo's custom_components.

    `extra_yaml` is appended as is (top-level YAML). The http port lives in
    `test_http.yaml`, which `HassProcess.start` rewrites with its own port.
    """
    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    text = CONFIGURATION.format(http_file=HTTP_FILE)
    if extra_yaml:
        text += "\n" + extra_yaml.rstrip() + "\n"
    (config_dir / "configuration.yaml").write_text(text, encoding="utf-8")
    _write_http(config_dir, port)
    link = config_dir / "custom_components"
    if not link.exists() and not link.is_symlink():
        link.symlink_to(REPO / "custom_components", target_is_directory=True)


def _write_http(config_dir: Path, port: int) -> None:
    """Bind the http server to 127.0.0.1 on the given port."""
    (config_dir / HTTP_FILE).write_text(
        f"server_host: {HOST}\nserver_port: {port}\n", encoding="utf-8"
    )


class HassProcess:
    """One Home Assistant process on a config folder, and a client for it."""

    def __init__(
        self,
        config_dir: Path,
        port: int | None = None,
        python: Path = VENV_PYTHON,
    ) -> None:
        """Prepare to run Home Assistant on `config_dir`; port None picks a free one."""
        self.config_dir = Path(config_dir)
        self.port = port or free_port()
        self.python = Path(python)
        self.base_url = f"http://{HOST}:{self.port}"
        self.client_id = self.base_url + "/"
        self.token: str | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.session = requests.Session()
        self._output: Any = None

    # Process life cycle.

    @property
    def output_path(self) -> Path:
        """Return the file that gets Home Assistant's console output."""
        return self.config_dir / OUTPUT_FILE

    @property
    def auth_path(self) -> Path:
        """Return the file that keeps the test user's refresh token."""
        return self.config_dir / AUTH_FILE

    def start(self, timeout: float = 180) -> None:
        """Spawn Home Assistant and wait until its HTTP API answers.

        When a refresh token was stored by `onboard` earlier, also log in and
        wait until Home Assistant reports that it is fully running, so the
        integration's config entries are set up when this returns.
        """
        if self.running:
            raise RuntimeError("Home Assistant is already running")
        if not (self.config_dir / "configuration.yaml").exists():
            write_config(self.config_dir, port=self.port)
        _write_http(self.config_dir, self.port)
        self.token = None
        self._output = self.output_path.open("ab")
        self._output.write(f"\n===== start {time.strftime('%X')} =====\n".encode())
        self._output.flush()
        env = dict(os.environ)
        env.pop("PYTHONPATH", None)
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(self.python),
                "-m",
                "homeassistant",
                "--config",
                str(self.config_dir),
                "--skip-pip",
            ],
            cwd=self.config_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        self._wait_for_http(deadline)
        if self.auth_path.exists():
            self.login()
            self.wait_until_running(deadline - time.monotonic())

    @property
    def running(self) -> bool:
        """Return whether the process is alive."""
        return self.process is not None and self.process.poll() is None

    def _wait_for_http(self, deadline: float) -> None:
        """Wait until GET /api/ answers at all (401 without a token is fine)."""
        while True:
            self._check_alive()
            with contextlib.suppress(requests.RequestException):
                response = self.session.get(self.base_url + "/api/", timeout=5)
                if response.status_code in (200, 401):
                    return
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"Home Assistant did not answer:\n{self.tail()}")
            time.sleep(0.1)

    def wait_until_running(self, timeout: float = 180) -> None:
        """Wait until /api/config says the core state is RUNNING."""
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            with contextlib.suppress(requests.RequestException, HassError):
                if self.get("/api/config").get("state") == "RUNNING":
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"Home Assistant did not finish starting:\n{self.tail()}"
                )
            time.sleep(0.1)

    def _check_alive(self) -> None:
        """Raise with the end of the output when the process has died."""
        if self.process is None:
            raise RuntimeError("Home Assistant was not started")
        if (code := self.process.poll()) is not None:
            raise RuntimeError(
                f"Home Assistant exited with code {code}:\n{self.tail()}"
            )

    def tail(self, lines: int = 40) -> str:
        """Return the last lines of Home Assistant's output."""
        try:
            text = self.output_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def kill(self) -> None:
        """Kill the process with SIGKILL (no clean shutdown) and wait for it."""
        self._end(signal.SIGKILL, 30)

    def terminate(self) -> None:
        """Send SIGTERM (a clean shutdown begins) without waiting."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 60) -> None:
        """Stop the process with SIGTERM (a clean shutdown) and wait for it."""
        self._end(signal.SIGTERM, timeout)

    def _end(self, sig: signal.Signals, timeout: float) -> None:
        """Send a signal to the process and wait; SIGKILL if it lingers."""
        process = self.process
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(sig)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        # Its own session: catch helper processes it may have forked.
        if process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if self._output is not None:
            self._output.close()
            self._output = None
        self.token = None
        self.session.close()
        self.session = requests.Session()

    def __enter__(self) -> Self:
        """Use the process as a context manager that always ends it."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the process, killing it if a clean stop does not work."""
        self.stop()

    # Authentication.

    def onboard(
        self,
        name: str = "Test",
        username: str = "test",
        password: str = "test-pass-123",  # noqa: S107
    ) -> str:
        """Create the owner on a fresh config, finish onboarding, return a token.

        The refresh token is kept in `.test_auth.json` in the config folder, so
        `login` (and `start`) can get new access tokens after a restart.
        """
        response = self.session.post(
            self.base_url + "/api/onboarding/users",
            json={
                "client_id": self.client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
            timeout=60,
        )
        _raise_for(response, "onboarding user")
        tokens = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": response.json()["auth_code"],
                "client_id": self.client_id,
            }
        )
        self._remember(tokens, username, password)
        self.post("/api/onboarding/core_config", {})
        self.post("/api/onboarding/analytics", {})
        self.post(
            "/api/onboarding/integration",
            {
                "client_id": self.client_id,
                "redirect_uri": self.base_url + "/?auth_callback=1",
            },
        )
        self.wait_until_running()
        return self._headers()["Authorization"].removeprefix("Bearer ")

    def _remember(self, tokens: dict[str, Any], username: str, password: str) -> None:
        """Keep the tokens, and wait until Home Assistant has them on disk.

        Home Assistant saves its auth store a second after a change; a process
        killed sooner would forget the refresh token.
        """
        self.auth_path.write_text(
            json.dumps(
                {
                    "client_id": self.client_id,
                    "refresh_token": tokens["refresh_token"],
                    "username": username,
                    "password": password,
                }
            ),
            encoding="utf-8",
        )
        self.auth_path.chmod(0o600)
        self.token = str(tokens["access_token"])
        self.wait_for_storage("auth", tokens["refresh_token"])

    def login(self) -> str:
        """Get a new access token with the stored refresh token.

        Falls back to the stored user name and password (a login flow) when the
        refresh token is not accepted, and stores the new refresh token.
        """
        stored = json.loads(self.auth_path.read_text(encoding="utf-8"))
        try:
            # Home Assistant accepts a refresh token only from the client id it
            # was made for, and the client id holds the port of that run.
            tokens = self._token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": stored["refresh_token"],
                    "client_id": stored["client_id"],
                }
            )
        except HassError as err:
            if err.status != 400:
                raise
            return self._password_login(stored["username"], stored["password"])
        self.token = str(tokens["access_token"])
        return self.token

    def _password_login(self, username: str, password: str) -> str:
        """Log in with user name and password through a login flow."""
        response = self.session.post(
            self.base_url + "/auth/login_flow",
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.client_id,
            },
            timeout=60,
        )
        _raise_for(response, "login flow")
        response = self.session.post(
            self.base_url + f"/auth/login_flow/{response.json()['flow_id']}",
            json={
                "client_id": self.client_id,
                "username": username,
                "password": password,
            },
            timeout=60,
        )
        _raise_for(response, "login")
        result = response.json()
        if result.get("type") != "create_entry":
            raise HassError(400, json.dumps(result), "login")
        tokens = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": result["result"],
                "client_id": self.client_id,
            }
        )
        self._remember(tokens, username, password)
        return str(tokens["access_token"])

    def _token_request(self, data: dict[str, str]) -> dict[str, Any]:
        """Ask /auth/token for tokens."""
        response = self.session.post(
            self.base_url + "/auth/token", data=data, timeout=60
        )
        _raise_for(response, "token")
        result: dict[str, Any] = response.json()
        return result

    # REST.

    def _headers(self) -> dict[str, str]:
        """Return the headers that authenticate a request."""
        if self.token is None:
            raise RuntimeError("not logged in: call onboard() or login() first")
        return {"Authorization": f"Bearer {self.token}"}

    def request(
        self, method: str, path: str, body: Any = None, timeout: float = 60
    ) -> Any:
        """Send an authenticated request; return the decoded JSON answer."""

        def send() -> requests.Response:
            return self.session.request(
                method,
                self.base_url + path,
                headers=self._headers(),
                json=body,
                timeout=timeout,
            )

        response = send()
        if response.status_code == 401 and self.auth_path.exists():
            # Access tokens expire after 30 minutes; long runs log in again.
            self.login()
            response = send()
        _raise_for(response, f"{method} {path}")
        return response.json() if response.content else None

    def get(self, path: str) -> Any:
        """GET a path of the API."""
        return self.request("GET", path)

    def post(self, path: str, body: Any = None) -> Any:
        """POST JSON to a path of the API."""
        return self.request("POST", path, body)

    def call_service(
        self,
        domain: str,
        service: str,
        data: dict[str, Any] | None = None,
        return_response: bool = False,
        timeout: float = 60,
    ) -> Any:
        """Call a service and wait for it to finish.

        Returns the service's response when `return_response`, else the list of
        states it changed. Raises HassError: status 400 for a schema error;
        Home Assistant's REST API (2025.4) answers a `ServiceValidationError`
        with a bare 500. To see its translated message, call the service over
        the websocket: `ws_command({"type": "call_service", "domain": ...,
        "service": ..., "service_data": {...}, "return_response": True})`.
        """
        path = f"/api/services/{domain}/{service}"
        if return_response:
            path += "?return_response"
        result = self.request("POST", path, data or {}, timeout=timeout)
        return result["service_response"] if return_response else result

    def state(self, entity_id: str) -> dict[str, Any]:
        """Return an entity's state object (raises HassError 404 when unknown)."""
        result: dict[str, Any] = self.get(f"/api/states/{entity_id}")
        return result

    def config_entries(self, domain: str | None = None) -> list[dict[str, Any]]:
        """Return the config entries, optionally of one domain."""
        path = "/api/config/config_entries/entry"
        if domain:
            path += f"?domain={domain}"
        result: list[dict[str, Any]] = self.get(path)
        return result

    def create_config_entry(self, domain: str, steps: list[dict[str, Any]]) -> str:
        """Walk a config flow, one dict of user input per step; return the entry id."""
        result = self.post(
            "/api/config/config_entries/flow",
            {"handler": domain, "show_advanced_options": False},
        )
        for step in steps:
            if result["type"] != "form":
                raise RuntimeError(f"config flow did not ask for more input: {result}")
            result = self.post(
                f"/api/config/config_entries/flow/{result['flow_id']}", step
            )
        if result["type"] != "create_entry":
            raise RuntimeError(f"config flow did not create an entry: {result}")
        entry_id = str(result["result"]["entry_id"])
        # Home Assistant saves its config entries a second after a change; a
        # test that kills the process must not lose the entry itself.
        self.wait_for_storage("core.config_entries", entry_id)
        return entry_id

    def wait_for_storage(self, key: str, text: str, timeout: float = 30) -> None:
        """Wait until the file `.storage/<key>` contains `text`."""
        path = self.config_dir / ".storage" / key
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                if text in path.read_text(encoding="utf-8"):
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} does not contain {text!r}")
            time.sleep(0.05)

    # Websocket.

    def ws_command(self, msg: dict[str, Any], timeout: float = 60) -> Any:
        """Send one websocket command and return its result (raises HassError)."""
        # Runs its own event loop in a thread, so it also works from code that
        # already has a loop running (an async test).
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self._ws(msg, timeout)).result()

    async def _ws(self, msg: dict[str, Any], timeout: float) -> Any:
        """Authenticate on the websocket, send one command, read its result."""
        if self.token is None:
            raise RuntimeError("not logged in: call onboard() or login() first")
        async with (
            aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=timeout)
            ) as session,
            session.ws_connect(f"ws://{HOST}:{self.port}/api/websocket") as ws,
        ):
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.token})
            answer = await ws.receive_json()
            if answer.get("type") != "auth_ok":
                raise HassError(401, json.dumps(answer), "websocket auth")
            await ws.send_json({**msg, "id": 1})
            while True:
                answer = await ws.receive_json()
                if answer.get("id") == 1 and answer.get("type") == "result":
                    break
            if not answer.get("success"):
                raise HassError(
                    400, json.dumps(answer.get("error")), msg.get("type", "")
                )
            return answer.get("result")


def _raise_for(response: requests.Response, what: str) -> None:
    """Raise HassError when a response is not a success."""
    if response.status_code >= 400:
        raise HassError(response.status_code, response.text, what)


if __name__ == "__main__":
    # A smoke run: python tests/live/hass_process.py [config dir]
    import tempfile

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    write_config(folder)
    with HassProcess(folder) as hass:
        began = time.monotonic()
        hass.start()
        print(f"up in {time.monotonic() - began:.1f} s at {hass.base_url}")  # noqa: T201
        if not hass.auth_path.exists():
            hass.onboard()
        print("entries:", [e["title"] for e in hass.config_entries()])  # noqa: T201
