"""Whether a literal's lexical form is in its datatype's lexical space (XSD 1.1): sh:datatype needs it, and
the store cannot tell (it keeps ill-typed literals as written, and valid ones in their canonical form)."""

from __future__ import annotations

import base64
import binascii
import calendar
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_ZONE = r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_TIME = r"(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)"
_DATE = rf"({_YEAR})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_DURATION_DATE = r"(?:[0-9]+Y(?:[0-9]+M)?(?:[0-9]+D)?|[0-9]+M(?:[0-9]+D)?|[0-9]+D)"
_SECONDS = r"[0-9]+(?:\.[0-9]+)?S"
_DURATION_TIME = rf"T(?:[0-9]+H(?:[0-9]+M)?(?:{_SECONDS})?|[0-9]+M(?:{_SECONDS})?|{_SECONDS})"
_NAME_START = r"A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F" \
              r"\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
_NAME_CHAR = _NAME_START + r"\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
INTEGER_RANGES = {  # derived integer types: (least, greatest), None for unbounded
    "integer": (None, None), "nonPositiveInteger": (None, 0), "negativeInteger": (None, -1),
    "long": (-(2**63), 2**63 - 1), "int": (-(2**31), 2**31 - 1), "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127), "nonNegativeInteger": (0, None), "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1), "unsignedShort": (0, 2**16 - 1), "unsignedByte": (0, 255),
    "positiveInteger": (1, None),
}


def _pattern(expression: str) -> Callable[[str], bool]:
    compiled = re.compile(expression)
    return lambda text: compiled.fullmatch(text) is not None


def _integer(least: int | None, greatest: int | None) -> Callable[[str], bool]:
    def check(text: str) -> bool:
        if not re.fullmatch(r"[+-]?[0-9]+", text):
            return False
        value = int(text)
        return (least is None or value >= least) and (greatest is None or value <= greatest)
    return check


def _real_date(year: str, month: str, day: str) -> bool:
    number = int(year)
    leap = calendar.isleap(number if number > 0 else number + 1)  # XSD 1.1: year 0 is 1 BCE, a leap year
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[int(month) - 1]
    return int(day) <= days


def _dated(expression: str) -> Callable[[str], bool]:
    compiled = re.compile(expression)

    def check(text: str) -> bool:
        match = compiled.fullmatch(text)
        return match is not None and _real_date(*match.groups()[:3])
    return check


def _month_day(text: str) -> bool:
    match = re.fullmatch(rf"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_ZONE}", text)
    return match is not None and _real_date("2000", *match.groups())  # a leap year: --02-29 exists


def _base64(text: str) -> bool:
    try:
        base64.b64decode(text.replace(" ", ""), validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _normalized(text: str) -> bool:
    return not any(c in text for c in "\r\n\t")


def _token(text: str) -> bool:
    return _normalized(text) and text == text.strip(" ") and "  " not in text


CHECKS: dict[str, Callable[[str], bool]] = {
    XSD + "normalizedString": _normalized,
    XSD + "token": _token,
    XSD + "language": _pattern(r"[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*"),
    XSD + "NMTOKEN": _pattern(rf"[{_NAME_CHAR}:]+"),
    XSD + "Name": _pattern(rf"[{_NAME_START}:][{_NAME_CHAR}:]*"),
    XSD + "NCName": _pattern(rf"[{_NAME_START}][{_NAME_CHAR}]*"),
    XSD + "boolean": _pattern(r"true|false|1|0"),
    XSD + "decimal": _pattern(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    XSD + "float": _pattern(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"),
    XSD + "double": _pattern(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?INF|NaN"),
    **{XSD + name: _integer(*bounds) for name, bounds in INTEGER_RANGES.items()},
    XSD + "date": _dated(rf"{_DATE}{_ZONE}"),
    XSD + "dateTime": _dated(rf"{_DATE}T{_TIME}{_ZONE}"),
    XSD + "dateTimeStamp": _dated(rf"{_DATE}T{_TIME}(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"),
    XSD + "time": _pattern(rf"{_TIME}{_ZONE}"),
    XSD + "gYear": _pattern(rf"{_YEAR}{_ZONE}"),
    XSD + "gYearMonth": _pattern(rf"{_YEAR}-(?:0[1-9]|1[0-2]){_ZONE}"),
    XSD + "gMonth": _pattern(rf"--(?:0[1-9]|1[0-2]){_ZONE}"),
    XSD + "gDay": _pattern(rf"---(?:0[1-9]|[12][0-9]|3[01]){_ZONE}"),
    XSD + "gMonthDay": _month_day,
    XSD + "duration": _pattern(rf"-?P(?:{_DURATION_DATE}(?:{_DURATION_TIME})?|{_DURATION_TIME})"),
    XSD + "yearMonthDuration": _pattern(r"-?P(?:[0-9]+Y(?:[0-9]+M)?|[0-9]+M)"),
    XSD + "dayTimeDuration": _pattern(rf"-?P(?:[0-9]+D(?:{_DURATION_TIME})?|{_DURATION_TIME})"),
    XSD + "hexBinary": _pattern(r"(?:[0-9a-fA-F]{2})*"),
    XSD + "base64Binary": _base64,
}


def well_formed(lexical: str, datatype: str) -> bool:
    """True unless `lexical` is outside the lexical space of a datatype this module knows (others, xsd:string and
    xsd:anyURI among them, have every string in their lexical space)."""
    check = CHECKS.get(datatype)
    return check is None or check(lexical)
