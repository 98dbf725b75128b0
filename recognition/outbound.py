"""Where the portal may send a request of its own (webhooks): public https addresses only.

A webhook URL is chosen by an organization, and the worker that posts to it sits inside our
network: without these checks an organization could make it post to the cloud metadata service,
a database port or an admin page on loopback (server-side request forgery, issue 15). So:

- the scheme is https (http only in demo mode, ``WEBHOOK_ALLOW_HTTP``);
- every address the host name resolves to must be public: no loopback, RFC 1918, link-local
  (169.254/16, the metadata address), CGNAT (100.64/10), unique-local or link-local IPv6,
  multicast, unspecified, reserved or documentation ranges, nor an IPv4 address hidden in IPv6;
- the check runs at save (a clear 400) and again at each delivery, and the delivery connects to
  the very address it checked rather than resolving the name again, so a name that answers a
  public address first and a private one a second later (DNS rebinding) cannot get through;
- redirects are never followed (``http.client`` does not follow them; a 3xx is a failure).

``WEBHOOK_ALLOWED_NETWORKS`` lists networks let through despite the above (an operator's own
receiver inside the network; the tests' receiver on 127.0.0.1). It is empty by default.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from tenants.errors import ApplicationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges Python's is_global does not flag on every supported version, named for clarity.
_REFUSED_NETWORKS = [
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",  # RFC 1918
        "100.64.0.0/10",  # CGNAT (RFC 6598)
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "172.16.0.0/12",  # RFC 1918
        "192.0.0.0/24",  # IETF protocol assignments
        "192.168.0.0/16",  # RFC 1918
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
        "::/128",  # unspecified
        "::1/128",  # loopback
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "ff00::/8",  # multicast
    )
]


class OutboundRefused(ApplicationError):
    """A URL the portal will not send requests to; ``details`` name the field and the reason."""

    code = "url_refused"


@dataclass(frozen=True)
class Target:
    """A checked destination: connect to ``address``, but speak to ``host`` (TLS name, Host)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def resolve(host: str, port: int) -> list[str]:
    """Return the addresses ``host`` resolves to (the tests replace this with a stub)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def address_refusal(address: IPAddress) -> str | None:
    """Return why ``address`` may not be called, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv4 address inside IPv6 (::ffff:127.0.0.1, 64:ff9b::a00:1, 2002:a00:1::) is
        # checked as the IPv4 address it reaches.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_refusal(embedded)
    for network in _allowed_networks():
        if address.version == network.version and address in network:
            return None
    if any(address.version == net.version and address in net for net in _REFUSED_NETWORKS):
        return _("%(address)s is a private, loopback, link-local or reserved address") % {
            "address": address
        }
    if not address.is_global or address.is_multicast:
        return _("%(address)s is not a public address") % {"address": address}
    return None


def check_url(url: str, *, field: str = "url") -> Target:
    """Return the checked target of ``url``; raise OutboundRefused naming ``field`` and why.

    Resolves the host name (once) and refuses it when any address it resolves to is not public:
    an attacker controlling the name's records could otherwise answer a mix.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    allowed = ["https", "http"] if settings.WEBHOOK_ALLOW_HTTP else ["https"]
    if scheme not in allowed:
        raise _refused(
            field,
            _("the address must use https")
            if scheme == "http"
            else _("only %(schemes)s addresses can be called") % {"schemes": " or ".join(allowed)},
        )
    try:
        host, port = parts.hostname, parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise _refused(field, _("the port is not valid")) from None
    if not host:
        raise _refused(field, _("the address names no host"))
    if parts.username or parts.password:
        raise _refused(field, _("the address may not carry a user name or password"))
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(host, port)]
        except (OSError, UnicodeError, ValueError):
            addresses = []
        if not addresses:
            reason = _("the host %(host)s does not resolve") % {"host": host}
            raise _refused(field, reason) from None
    for address in addresses:
        reason = address_refusal(address)
        if reason:
            raise _refused(field, reason)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def post(target: Target, *, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to the checked ``target``'s address; return the status (no redirects).

    Raise OSError (or ssl.SSLError) when the connection fails. The certificate is verified
    against the host name, while the socket goes to the address that was checked.
    """
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = cls(target.host, target.port, address=target.address, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        return response.status
    except http.client.HTTPException as exc:
        raise OSError(f"invalid HTTP answer: {exc.__class__.__name__}") from exc
    finally:
        connection.close()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a fixed address, whatever the host name resolves to now."""

    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to a fixed address; TLS checks the certificate for the host name."""

    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _allowed_networks():
    return [ipaddress.ip_network(net, strict=False) for net in settings.WEBHOOK_ALLOWED_NETWORKS]


def _refused(field: str, reason: str) -> OutboundRefused:
    return OutboundRefused(
        _("%(field)s: %(reason)s.") % {"field": field, "reason": reason},
        details={"field": field, "reason": reason},
    )
