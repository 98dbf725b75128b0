"""Webhooks call public https addresses only, checked at save and at each delivery (issue 15).

No test here leaves the machine: host names resolve through a stub, and the only connections go
to a receiver on 127.0.0.1, let through by WEBHOOK_ALLOWED_NETWORKS the way an operator would
let an internal receiver through.
"""

import http.server
import ipaddress
import socket
import threading

import pytest

from recognition import outbound
from recognition.models import WebhookDelivery, WebhookEndpoint
from recognition.services.webhooks import webhook_deliver, webhook_endpoint_set

pytestmark = pytest.mark.django_db

PUBLIC = "203.0.113.10"  # stands for a public address; the stub below calls it global


class _Dns(dict):
    """Name -> addresses; ``lookups`` lists every name asked for."""

    def __init__(self):
        super().__init__()
        self.lookups: list[str] = []

    def resolve(self, host, port):
        self.lookups.append(host)
        if host not in self:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return list(self[host])


@pytest.fixture
def dns(monkeypatch):
    """A resolver stub: ``dns[name] = [addresses]``; unknown names do not resolve."""
    stub = _Dns()
    monkeypatch.setattr(outbound, "resolve", stub.resolve)
    return stub


@pytest.fixture(autouse=True)
def documentation_range_is_public(monkeypatch):
    """203.0.113.0/24 is a documentation range; here it plays a public address."""
    real = outbound.address_refusal

    def refusal(address):
        if address in ipaddress.ip_network("203.0.113.0/24"):
            return None
        return real(address)

    monkeypatch.setattr(outbound, "address_refusal", refusal)


@pytest.fixture
def no_connections(monkeypatch):
    """Fail the test if anything opens a socket."""
    opened = []

    def refuse(address, *args, **kwargs):
        opened.append(address)
        raise AssertionError(f"connection attempted to {address}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    return opened


@pytest.fixture
def receiver(settings):
    """A local server on 127.0.0.1: /hook answers 200, /redirect answers 302 to /hook."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Host"]))
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/hook")
            else:
                self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.received = received
    yield server
    server.shutdown()


def _delivery(rec, endpoint):
    return WebhookDelivery.objects.create(
        organization=rec.org, endpoint=endpoint, event="recognition_job.finished", payload={}
    )


REFUSED = [
    ("https://127.0.0.1/hook", "private, loopback"),
    ("https://127.1.2.3:8443/hook", "private, loopback"),
    ("https://10.0.0.5/hook", "private"),
    ("https://172.16.0.1/hook", "private"),
    ("https://192.168.1.1/hook", "private"),
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://100.64.0.1/hook", "private"),
    ("https://0.0.0.0/hook", "private"),
    ("https://224.0.0.1/hook", "private"),
    ("https://[::1]:6379/", "private"),
    ("https://[::]/", "private"),
    ("https://[fd00::1]/hook", "private"),
    ("https://[fe80::1]/hook", "private"),
    ("https://[ff02::1]/hook", "private"),
    ("https://[::ffff:127.0.0.1]/hook", "private"),
    ("https://[::ffff:169.254.169.254]/hook", "link-local"),
    ("ftp://203.0.113.10/hook", "only https"),
    ("http://203.0.113.10/hook", "must use https"),
    ("https://unknown.example/hook", "does not resolve"),
    ("https://internal.example/hook", "private"),
    ("https://mixed.example/hook", "private"),
    ("https://user:pw@203.0.113.10/hook", "user name"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_webhook_url_to_a_non_public_address_is_refused_at_save(rec, api_as, dns, url, reason):
    dns["internal.example"] = ["10.1.2.3"]
    dns["mixed.example"] = [PUBLIC, "127.0.0.1"]  # one private answer is enough to refuse
    response = api_as(rec.world.owner).put("/api/v1/webhook-endpoint/", {"url": url}, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "url_refused"
    assert body["details"]["field"] == "url"
    assert reason in body["message"]
    assert not WebhookEndpoint.objects.filter(organization=rec.org).exists()


def test_public_https_url_is_accepted(rec, api_as, dns):
    dns["hooks.example"] = [PUBLIC]
    url = "https://hooks.example/faceconsent"
    response = api_as(rec.world.owner).put("/api/v1/webhook-endpoint/", {"url": url}, format="json")
    assert response.status_code == 200
    assert response.json()["url"] == url


def test_http_is_accepted_only_in_demo_mode(rec, api_as, dns, settings):
    dns["hooks.example"] = [PUBLIC]
    client = api_as(rec.world.owner)
    url = {"url": "http://hooks.example/faceconsent"}
    settings.WEBHOOK_ALLOW_HTTP = False
    assert client.put("/api/v1/webhook-endpoint/", url, format="json").status_code == 400
    settings.WEBHOOK_ALLOW_HTTP = True
    assert client.put("/api/v1/webhook-endpoint/", url, format="json").status_code == 200


def test_dns_rebinding_to_a_private_address_is_refused_at_delivery(rec, dns, no_connections):
    dns["hooks.example"] = [PUBLIC]
    endpoint, _ = webhook_endpoint_set(
        organization=rec.org, url="https://hooks.example/x", actor=rec.actor
    )
    dns["hooks.example"] = ["169.254.169.254"]  # the name now points at the metadata service
    delivery = webhook_deliver(delivery=_delivery(rec, endpoint), final_attempt=True)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "169.254.169.254" in delivery.last_error and delivery.response_status is None
    assert no_connections == []


def test_delivery_connects_to_the_checked_address_without_resolving_again(
    rec, dns, receiver, monkeypatch
):
    port = receiver.server_port
    dns["hooks.example"] = ["127.0.0.1"]
    endpoint, _ = webhook_endpoint_set(
        organization=rec.org, url=f"http://hooks.example:{port}/hook", actor=rec.actor
    )
    dns.lookups.clear()
    real_getaddrinfo = socket.getaddrinfo

    def no_second_lookup(host, *args, **kwargs):
        assert host == "127.0.0.1", f"{host} resolved again after the check"
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_second_lookup)
    delivery = webhook_deliver(delivery=_delivery(rec, endpoint))
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert dns.lookups == ["hooks.example"]  # once, for the check
    assert receiver.received == [("/hook", f"hooks.example:{port}")]


def test_redirects_are_not_followed(rec, dns, receiver):
    endpoint, _ = webhook_endpoint_set(
        organization=rec.org,
        url=f"http://127.0.0.1:{receiver.server_port}/redirect",
        actor=rec.actor,
    )
    delivery = webhook_deliver(delivery=_delivery(rec, endpoint), final_attempt=True)
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.response_status == 302
    assert "redirects are not followed" in delivery.last_error
    assert [path for path, _host in receiver.received] == ["/redirect"]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.9.8.7", "169.254.169.254", "100.100.100.100", "::1", "fc00::5", "fe80::1"],
)
def test_private_addresses_are_refused_even_when_other_networks_are_allowed(address, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["192.0.2.0/24"]
    assert outbound.address_refusal(ipaddress.ip_address(address))


def test_a_public_address_passes():
    assert outbound.address_refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert outbound.address_refusal(ipaddress.ip_address("2001:4860:4860::8888")) is None
