"""Open311 GeoReport v2 documents, pure (no Django): the same answer as JSON or as the spec's
XML, and a service's attributes checked as a client sends them (`attribute[code]=value`).

XML follows the element names and nesting of the specification (http://wiki.open311.org/
GeoReport_v2): a list is a container element holding one element per item (`<services>` of
`<service>`, `<attributes>` of `<attribute>`, `<values>` of `<value>`), booleans are `true` and
`false`, an absent value is an empty element, and every document starts with the XML
declaration in UTF-8."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from xml.etree import ElementTree

# The element of each item inside a container.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Prefixed names (`georss:point`) are written in their namespace, declared on the root.
NAMESPACES = {"georss": "http://www.georss.org/georss"}
for _prefix, _uri in NAMESPACES.items():
    ElementTree.register_namespace(_prefix, _uri)
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MAX_TEXT = 500


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _qualified(tag: str) -> str:
    prefix, _colon, name = tag.partition(":")
    return f"{{{NAMESPACES[prefix]}}}{name}" if name else tag


def _fill(parent: ElementTree.Element, tag: str, value) -> None:
    element = ElementTree.SubElement(parent, _qualified(tag))
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _fill(element, key, inner)
    elif isinstance(value, list):
        for item in value:
            _fill(element, ITEM.get(tag, "item"), item)
    else:
        element.text = _text(value)


def xml_document(root: str, items) -> bytes:
    """`items` (a list of dicts, or one dict) under the root element, as the spec's XML."""
    element = ElementTree.Element(root)
    if isinstance(items, Mapping):
        for key, value in items.items():
            _fill(element, key, value)
    else:
        for item in items:
            _fill(element, ITEM[root], item)
    ElementTree.indent(element)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        element, encoding="unicode"
    ).encode("utf-8")


def attribute_values(definitions: list[dict], form: Mapping[str, list[str]]) -> tuple[dict, dict]:
    """The values a request gives for a service's attributes, checked against their definitions:
    (values by code, reasons by code). `form` maps each field name to its values."""
    values: dict = {}
    problems: dict = {}
    for definition in definitions:
        if not definition.get("variable", True):
            continue
        code = definition["code"]
        datatype = definition["datatype"]
        given = [
            v.strip()
            for v in form.get(f"attribute[{code}]", []) + form.get(f"attribute[{code}][]", [])
            if v.strip()
        ]
        if not given:
            if definition.get("required"):
                problems[code] = "required"
            continue
        keys = {str(v["key"]) for v in definition.get("values", [])}
        if datatype == "multivaluelist":
            if not set(given) <= keys:
                problems[code] = "not_a_value"
            else:
                values[code] = given
            continue
        value = given[0]
        if len(given) > 1:
            problems[code] = "one_value"
        elif datatype == "singlevaluelist" and value not in keys:
            problems[code] = "not_a_value"
        elif datatype == "number" and not _number(value):
            problems[code] = "not_a_number"
        elif datatype == "datetime" and not _datetime(value):
            problems[code] = "not_a_datetime"
        elif len(value) > MAX_TEXT:
            problems[code] = "too_long"
        else:
            values[code] = value
    return values, problems


def _number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
