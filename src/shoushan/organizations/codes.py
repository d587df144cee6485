"""What a unified social credit code (统一社会信用代码, GB 32100) says about a social organisation.

Character 1 names the registering department (5 = civil affairs), character 2 the kind of body
that department registers (1 社会团体, 2 民办非企业单位 / 社会服务机构, 3 基金会, 9 other),
characters 3–8 the administrative division of the registering authority, 9–17 the body's own code
and 18 the check character. A social organisation's record must agree with its code;
`code_disagreement` says why it does not, in words a clerk can act on."""

from shoushan.core.validators import gettext_noop

CIVIL_AFFAIRS = "5"
# The kind's value (organizations.models.OrganizationKind) → the type character civil affairs uses.
TYPE_CHARACTER = {"social_group": "1", "social_service": "2", "foundation": "3"}
KIND_OF_TYPE = {v: k for k, v in TYPE_CHARACTER.items()}


def division_of(code: str) -> str:
    """The six-digit division of the registering authority that issued the code."""
    return code[2:8]


def kind_of(code: str) -> str | None:
    """The kind the code's first two characters name, or None when it is not a civil-affairs one."""
    if code[:1] != CIVIL_AFFAIRS:
        return None
    return KIND_OF_TYPE.get(code[1:2])


def code_disagreement(
    code: str, *, kind: str, authority_division: str
) -> tuple[str, dict[str, str]] | None:
    """Why the code cannot belong to a body of this kind registered by this authority — a message
    id to translate and the values it names — or None when it agrees."""
    if code[:1] != CIVIL_AFFAIRS:
        return gettext_noop(
            "The code's first character is %(found)s: a social organisation registered by civil "
            "affairs has 5."
        ), {"found": code[:1]}
    if code[1:2] != TYPE_CHARACTER[kind]:
        return gettext_noop(
            "The code's second character is %(found)s, which names another kind of organisation "
            "than the one given (%(expected)s is expected)."
        ), {"found": code[1:2], "expected": TYPE_CHARACTER[kind]}
    if division_of(code) != authority_division:
        return gettext_noop(
            "The code was issued in division %(found)s, but the registration authority given is "
            "in division %(expected)s."
        ), {"found": division_of(code), "expected": authority_division}
    return None
