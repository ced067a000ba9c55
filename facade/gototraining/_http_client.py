"""What the SDK's HTTP clients and their transports share, for both flavors.

The clients the SDK makes (``DefaultHttpxClient``, ``DefaultAsyncHttpxClient``:
``_default_client``) bound every socket operation by the call's deadline. httpx's timeouts are
per socket operation, so a server trickling a byte at a time is never cut off by them; httpcore
takes a network backend publicly (``ConnectionPool(network_backend=...)``) but httpx's own
transports do not pass one on, so those clients use transports the SDK builds from httpcore's
public parts (``_deadline``): the pools, arguments and error mapping of
``httpx.HTTPTransport`` (``pool_arguments``, ``core_request``, ``mapped_errors``), the proxies
httpx would read from the environment (``environment_proxies``), with the deadline network
backend underneath.

It is imported with the first client made, not with the package, and imports httpcore only
when a transport is built (httpcore is about 18 ms of import).
"""

from __future__ import annotations

import contextlib
import ipaddress
import ssl
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._errors import ValidationError

if TYPE_CHECKING:
    import httpcore

__all__ = [
    "DEFAULT_LIMITS",
    "TransportOptions",
    "core_request",
    "environment_proxies",
    "mapped_errors",
    "pool_arguments",
    "proxies",
    "refuse_transports",
]

#: httpx's own connection limits (``httpx.Limits()``'s defaults).
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class TransportOptions:
    """What a client's transports are made with: one TLS context (built once, shared by the
    direct transport and every proxy's), HTTP versions, limits and the httpcore pool options
    ``httpx.HTTPTransport`` takes."""

    __slots__ = (
        "http1",
        "http2",
        "limits",
        "local_address",
        "retries",
        "socket_options",
        "ssl_context",
        "uds",
    )

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool,
        cert: Any,
        trust_env: bool,
        http1: bool,
        http2: bool,
        limits: httpx.Limits,
        retries: int,
        local_address: str | None,
        uds: str | None,
        socket_options: Iterable[SocketOption] | None,
    ) -> None:
        # The defaults are the clients' (``_default_client``): one signature users read.
        if http2 and not _installed("h2"):
            raise ImportError("http2=True needs the 'h2' package: pip install 'httpx[http2]'")
        self.ssl_context = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        self.http1, self.http2 = http1, http2
        self.limits = limits
        self.retries = retries
        self.local_address = local_address
        self.uds = uds
        self.socket_options = None if socket_options is None else list(socket_options)


def _installed(module: str) -> bool:
    from importlib.util import find_spec  # only for an option that needs it

    return find_spec(module) is not None


def pool_arguments(
    options: TransportOptions, proxy: httpx.Proxy | None
) -> tuple[str, dict[str, Any]]:
    """Which httpcore pool to build (``"direct"``, ``"http"`` proxy or ``"socks"`` proxy) and
    its arguments: the ones ``httpx.HTTPTransport`` passes, the network backend aside."""
    import httpcore

    limits = options.limits
    common: dict[str, Any] = {
        "ssl_context": options.ssl_context,
        "max_connections": limits.max_connections,
        "max_keepalive_connections": limits.max_keepalive_connections,
        "keepalive_expiry": limits.keepalive_expiry,
        "http1": options.http1,
        "http2": options.http2,
    }
    if proxy is None:
        return "direct", {
            **common,
            "uds": options.uds,
            "local_address": options.local_address,
            "retries": options.retries,
            "socket_options": options.socket_options,
        }
    proxy_url = httpcore.URL(
        scheme=proxy.url.raw_scheme,
        host=proxy.url.raw_host,
        port=proxy.url.port,
        target=proxy.url.raw_path,
    )
    if proxy.url.scheme in ("http", "https"):
        return "http", {
            **common,
            "proxy_url": proxy_url,
            "proxy_auth": proxy.raw_auth,
            "proxy_headers": proxy.headers.raw,
            "proxy_ssl_context": proxy.ssl_context,
            "socket_options": options.socket_options,
        }
    if proxy.url.scheme in ("socks5", "socks5h"):
        if not _installed("socksio"):
            raise ImportError(
                "a SOCKS proxy needs the 'socksio' package: pip install 'httpx[socks]'"
            )
        return "socks", {**common, "proxy_url": proxy_url, "proxy_auth": proxy.raw_auth}
    raise ValidationError(
        "proxy",
        f"expected an http, https, socks5 or socks5h proxy URL, got {proxy.url.scheme!r}",
    )


def core_request(request: httpx.Request) -> httpcore.Request:
    """The httpcore request for an httpx one (as ``httpx.HTTPTransport`` builds it)."""
    import httpcore

    url = request.url
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(
            scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
        ),
        headers=request.headers.raw,
        content=request.stream,
        extensions=request.extensions,
    )


_ERROR_MAP: dict[type[Exception], type[httpx.TransportError]] = {}


def _error_map() -> dict[type[Exception], type[httpx.TransportError]]:
    if not _ERROR_MAP:
        import httpcore

        _ERROR_MAP.update(
            {
                httpcore.TimeoutException: httpx.TimeoutException,
                httpcore.ConnectTimeout: httpx.ConnectTimeout,
                httpcore.ReadTimeout: httpx.ReadTimeout,
                httpcore.WriteTimeout: httpx.WriteTimeout,
                httpcore.PoolTimeout: httpx.PoolTimeout,
                httpcore.NetworkError: httpx.NetworkError,
                httpcore.ConnectError: httpx.ConnectError,
                httpcore.ReadError: httpx.ReadError,
                httpcore.WriteError: httpx.WriteError,
                httpcore.ProxyError: httpx.ProxyError,
                httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
                httpcore.ProtocolError: httpx.ProtocolError,
                httpcore.LocalProtocolError: httpx.LocalProtocolError,
                httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
            }
        )
    return _ERROR_MAP


@contextlib.contextmanager
def mapped_errors(request: httpx.Request | None = None) -> Iterator[None]:
    """httpcore's exceptions raised as httpx's, the most specific one that matches (as
    ``httpx.HTTPTransport`` does), chained to the original; anything else passes through."""
    try:
        yield
    except Exception as exc:
        mapped: type[httpx.TransportError] | None = None
        for core_error, httpx_error in _error_map().items():
            if isinstance(exc, core_error) and (mapped is None or issubclass(httpx_error, mapped)):
                mapped = httpx_error
        if mapped is None:
            raise
        raise mapped(str(exc), request=request) from exc


def environment_proxies() -> dict[str, str | None]:
    """The proxies ``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` (and, on
    Windows and macOS, the system settings) ask for, as httpx reads them: ``{URL pattern:
    proxy URL}``, ``None`` for the patterns ``NO_PROXY`` exempts."""
    from urllib.request import getproxies  # only when a client is made: urllib.request is slow

    found = getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        if found.get(scheme):
            url = found[scheme]
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (host.strip() for host in found.get("no", "").split(",")):
        if host == "*":
            return {}
        if not host:
            continue
        # curl's NO_PROXY rules: ".example.com" exempts subdomains only, "example.com" the
        # domain and its subdomains; addresses and localhost exactly.
        if "://" in host:
            mounts[host] = None
        elif _is_address(host, ipaddress.IPv4Address) or host.lower() == "localhost":
            mounts[f"all://{host}"] = None
        elif _is_address(host, ipaddress.IPv6Address):
            mounts[f"all://[{host}]"] = None
        else:
            mounts[f"all://*{host}"] = None
    return mounts


def _is_address(host: str, kind: type[ipaddress.IPv4Address | ipaddress.IPv6Address]) -> bool:
    try:
        kind(host.split("/")[0])
    except ValueError:
        return False
    return True


def proxies(
    proxy: httpx.Proxy | str | httpx.URL | None, *, trust_env: bool
) -> dict[str, httpx.Proxy | None]:
    """``{URL pattern: proxy}`` for a client (``None``: no proxy for it): ``proxy`` for every
    URL, or the environment's; an explicit proxy wins and ``trust_env=False`` ignores the
    environment, as in httpx."""
    if proxy is not None:
        return {"all://": proxy if isinstance(proxy, httpx.Proxy) else httpx.Proxy(proxy)}
    if not trust_env:
        return {}
    return {
        pattern: None if url is None else httpx.Proxy(url)
        for pattern, url in environment_proxies().items()
    }


def refuse_transports(kwargs: Mapping[str, Any], client: str) -> None:
    """A client that builds its own transports takes none."""
    for name in ("transport", "mounts"):
        if name in kwargs:
            raise ValidationError(
                name,
                f"{client} builds its own transports (that is what bounds every socket "
                f"operation by the call's deadline); for a {name} of your own pass a plain "
                "httpx client",
            )
