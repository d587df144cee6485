"""Messages the engine writes for people, in their language.

The engine imports no Django, so it cannot ask Django for a translation itself. It marks each
message with `_` (so `make messages` collects them into the project's catalogue) and calls
whatever translator was installed: the web application installs Django's `gettext` when it
starts (`EvaluationConfig.ready`); a script that installs nothing gets the English."""

from collections.abc import Callable

_translator: Callable[[str], str] = str


def translator_install(translate: Callable[[str], str]) -> None:
    global _translator
    _translator = translate


def _(message: str) -> str:
    return _translator(message)
