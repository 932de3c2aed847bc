"""The Python gRPC clients against the real `virta hub` with a token, TLS and a Unix-domain socket
(docs/security.md): the token and CA come from VIRTA_TOKEN / VIRTA_TOKEN_FILE / VIRTA_CA_FILE, a
missing or wrong token is refused with UNAUTHENTICATED and a message that says how to send it, and
the token appears neither in the hub's output nor on its command line."""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import subprocess
import tempfile

import pytest

from virta import Security
from virta.events import EventClient, HubUnavailable, event, now_micros
from virta.events.errors import HubError
from virta_java import HubProcess, hub_missing_reason

_NO_HUB = hub_missing_reason()
pytestmark = pytest.mark.skipif(_NO_HUB is not None, reason=_NO_HUB or "")

SECURITY_VARIABLES = ("VIRTA_TOKEN", "VIRTA_TOKEN_FILE", "VIRTA_CA_FILE")


@pytest.fixture(scope="module")
def secured_hub():
    """`virta hub --token-file F --tls-cert C --tls-key K --unix-socket S`, and its files."""
    folder = tempfile.mkdtemp(prefix="virta-auth-test-")
    token = secrets.token_hex(24)
    token_file = os.path.join(folder, "hub.token")
    with open(token_file, "w") as f:
        f.write(token + "\n")
    os.chmod(token_file, stat.S_IRUSR | stat.S_IWUSR)
    cert, key = os.path.join(folder, "hub.crt"), os.path.join(folder, "hub.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=virta-test",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True, timeout=60)
    socket_path = os.path.join(folder, "hub.sock")
    hub = HubProcess(os.path.join(folder, "journal"), extra=(
        "--token-file", token_file, "--tls-cert", cert, "--tls-key", key, "--unix-socket", socket_path))
    hub.token, hub.token_file, hub.cert, hub.socket = token, token_file, cert, socket_path
    yield hub
    hub.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clean_env(monkeypatch):
    for name in SECURITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def report_and_query(client: EventClient, camera: str) -> None:
    t = now_micros()
    client.report(event("motion", camera, t, source="auth-test"))
    assert [e.camera for e in client.query(from_micros=t, cameras=[camera])] == [camera]


def test_token_file_and_ca_from_the_environment_over_tls(secured_hub, clean_env):
    clean_env.setenv("VIRTA_TOKEN_FILE", secured_hub.token_file)
    clean_env.setenv("VIRTA_CA_FILE", secured_hub.cert)
    with EventClient(secured_hub.address) as client:
        report_and_query(client, f"tls{os.getpid()}")


def test_token_from_the_environment_over_the_unix_socket(secured_hub, clean_env):
    mode = stat.S_IMODE(os.stat(secured_hub.socket).st_mode)
    assert stat.S_ISSOCK(os.stat(secured_hub.socket).st_mode) and mode == 0o600, oct(mode)
    clean_env.setenv("VIRTA_TOKEN", secured_hub.token)
    camera = f"unix{os.getpid()}"
    with EventClient("unix:" + secured_hub.socket) as client:
        report_and_query(client, camera)
        # A stream through the token interceptor: replay from the journal, then cancel.
        with client.subscribe(cameras=[camera], since_micros=1) as subscription:
            first = next(iter(subscription))
            assert first.camera == camera


def test_missing_and_wrong_tokens_are_refused_with_how_to_send_one(secured_hub, clean_env):
    with EventClient("unix:" + secured_hub.socket) as client:
        with pytest.raises(HubError) as missing:
            client.query(from_micros=0)
    assert missing.value.code == "UNAUTHENTICATED"
    assert "VIRTA_TOKEN_FILE" in str(missing.value) and "authorization: Bearer" in str(missing.value)

    wrong = secrets.token_hex(20)
    with EventClient("unix:" + secured_hub.socket, security=Security(token=wrong)) as client:
        with pytest.raises(HubError) as refused:
            client.query(from_micros=0)
    assert refused.value.code == "UNAUTHENTICATED"
    assert wrong not in str(refused.value) and secured_hub.token not in str(refused.value)


def test_plaintext_to_the_tls_listener_does_not_connect(secured_hub, clean_env):
    with EventClient(secured_hub.address, timeout=5,
                     security=Security(token=secured_hub.token)) as client:
        with pytest.raises(HubUnavailable):
            client.query(from_micros=0)


def test_the_token_is_neither_logged_nor_on_the_command_line(secured_hub):
    with open(f"/proc/{secured_hub.pid}/cmdline", "rb") as f:
        cmdline = f.read().decode()
    assert "--token-file" in cmdline and secured_hub.token not in cmdline
    assert secured_hub.output and all(secured_hub.token not in line for line in secured_hub.output)
    assert any("token required" in line for line in secured_hub.output), secured_hub.output


def test_unusable_security_settings_name_the_variable(tmp_path):
    with pytest.raises(ValueError, match="VIRTA_TOKEN_FILE: cannot read the token file"):
        Security.from_environment({"VIRTA_TOKEN_FILE": str(tmp_path / "missing")})
    with pytest.raises(ValueError, match="VIRTA_TOKEN: a token is 16"):
        Security.from_environment({"VIRTA_TOKEN": "short"})
    with pytest.raises(ValueError, match="VIRTA_CA_FILE"):
        Security.from_environment({"VIRTA_CA_FILE": str(tmp_path / "missing.pem")})
    assert "hidden" in repr(Security(token="x" * 20)) and "x" * 20 not in repr(Security(token="x" * 20))
