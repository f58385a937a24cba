"""Links: canonical forms (no tracking, no fragment) and the check that a URL points at the public web."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
        "xtor", "ref_src", "spm", "_ga", "cmpid", "at_medium", "at_campaign",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def canonical_url(link: str | None, base: str | None = None) -> str | None:
    """The link resolved against `base`, lower-cased scheme and host, no default port, no fragment
    and no tracking parameters; None when it is not an http(s) URL."""
    if not link or not link.strip():
        return None
    absolute = urljoin(base or "", link.strip())
    try:
        parts = urlsplit(absolute)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


class UnsafeAddressError(OSError):
    """The host resolves to a private, loopback, link-local, multicast or reserved address."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def literal_address(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def check_host(host: str, allow_private: bool) -> None:
    """Refuse an IP-literal host outside the public internet (names are checked when resolved)."""
    address = literal_address(host)
    if address is not None and not allow_private and not is_public(address):
        raise UnsafeAddressError(f"{host} is not a public internet address")


class PublicOnlyResolver(AbstractResolver):
    """Resolves like aiohttp, then drops every non-public address; checked on each connection, so
    redirects and DNS rebinding cannot lead a fetch into the private network."""

    def __init__(self, allow_private: bool = False) -> None:
        self._inner = DefaultResolver()
        self._allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: Any = socket.AF_INET) -> list[ResolveResult]:
        if host.lower().rstrip(".").endswith(".invalid"):
            # Reserved never to resolve (RFC 2606): the demo feeds use it; no query leaves the machine.
            raise OSError(socket.EAI_NONAME, f"{host} is a reserved name that never resolves")
        results = await self._inner.resolve(host, port, family)
        if self._allow_private:
            return results
        public = [result for result in results if is_public(result["host"])]
        if not public:
            raise UnsafeAddressError(f"{host} resolves only to addresses outside the public internet")
        return public

    async def close(self) -> None:
        await self._inner.close()
