"""A reader's e-mail address, as a sign-up form gives it: checked, and kept in one form.

email-validator reads it by RFC 5322 and RFC 6531 (internationalised local parts) and
IDNA 2008 (internationalised domains), without asking DNS: a form must answer the same,
and at once, whether the domain exists or not. Quoted local parts, IP-address domains and
anything with a control character are refused, so no address can break a header line.
"""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

MAX_ADDRESS = 254  # RFC 5321's path limit, less the angle brackets


class BadAddress(ValueError):
    """What a reader typed is not an address mail can be sent to."""


@dataclass(frozen=True, slots=True)
class Address:
    kept: str  # the form stored and compared: the local part casefolded, the domain in Unicode
    sent_to: str  # what the SMTP envelope and To: carry: the domain in ASCII (punycode)
    needs_smtputf8: bool  # its local part is not ASCII


def checked_address(typed: str) -> Address:
    text = typed.strip()
    if not text or len(text) > MAX_ADDRESS or not text.isprintable():
        raise BadAddress("enter an e-mail address, such as name@example.org")
    try:
        found = validate_email(
            text,
            check_deliverability=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_display_name=False,
        )
    except EmailNotValidError as error:
        raise BadAddress(f"that is not an e-mail address: {error}") from None
    # One mailbox, however its letters are cased: every provider readers use reads the
    # local part so, and a suppressed or capped address must stay so as Carol@ or CAROL@.
    local = found.normalized.rpartition("@")[0].casefold()
    ascii_domain = found.ascii_domain or found.domain
    return Address(
        kept=f"{local}@{found.domain.lower()}",
        sent_to=f"{local}@{ascii_domain.lower()}",
        needs_smtputf8=not local.isascii(),
    )
