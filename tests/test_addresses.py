"""The hub calls back only public addresses, whatever IPv6 form an internal IPv4 address
is written in: an address is judged by the IPv4 address it reaches."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from syndication.web.outbound import is_public
from tests.conftest import examples

MASK = 0xFFFFFFFF
INTERNAL_V4 = st.ip_addresses(v=4).filter(lambda ip: not ip.is_global)
PUBLIC_V4 = st.ip_addresses(v=4).filter(lambda ip: ip.is_global)


def forms(v4: ipaddress.IPv4Address) -> dict[str, str]:
    """Every IPv6 way of writing an address that reaches `v4`."""
    n = int(v4)
    return {
        "mapped": f"::ffff:{v4}",
        "translated": str(ipaddress.IPv6Address((0xFFFF << 48) | n)),  # ::ffff:0:a.b.c.d
        "compatible": str(ipaddress.IPv6Address(n)),  # ::a.b.c.d
        "nat64": str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) + n)),
        "nat64 local": str(ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b:1::")) + n)),
        "6to4": str(ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1)),
        "teredo": str(
            ipaddress.IPv6Address((0x20010000 << 96) | (0x41366378 << 64) | (n ^ 0xFFFFFFFF))
        ),
    }


@settings(max_examples=examples(500), deadline=None)
@given(INTERNAL_V4)
def test_an_internal_ipv4_address_is_refused_in_every_ipv6_form(v4: ipaddress.IPv4Address) -> None:
    assert not is_public(str(v4))
    for name, written in forms(v4).items():
        assert not is_public(written), (name, written, v4)


@settings(max_examples=examples(500), deadline=None)
@given(PUBLIC_V4)
def test_a_public_ipv4_address_is_public_mapped_or_through_nat64(v4: ipaddress.IPv4Address) -> None:
    assert is_public(str(v4))
    assert is_public(f"::ffff:{v4}")
    assert is_public(forms(v4)["nat64"])


def test_the_forms_an_outside_test_sent_are_refused() -> None:
    for written in ("::127.0.0.1", "::ffff:0:127.0.0.1", "64:ff9b::7f00:1", "::", "::1",
                    "fe80::1%eth0", "fc00::1", "not an address"):  # fmt: skip
        assert not is_public(written), written
    assert is_public("2606:4700:4700::1111")
