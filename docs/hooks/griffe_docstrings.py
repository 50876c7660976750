"""Read tunesmith's docstrings the way they are written, for mkdocstrings.

The docstrings are Google style with Sphinx roles, as Sphinx's napoleon reads them.
Two things napoleon accepts and griffe's Google parser does not are translated here,
before parsing, for the documentation site only (the code is untouched):

* an ``Example:`` section (napoleon's alias of ``Examples:``) becomes ``Examples:``,
  so its doctests render as code rather than as an admonition's text;
* a role such as :class:`~tunesmith.Trial` becomes a code span (``Trial``);
* a paragraph ending in ``::`` before a literal block ends in ``:``, as Sphinx
  shows it.
"""

from __future__ import annotations

import re

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_LITERAL = re.compile(r"(\S)::[ \t]*$", re.MULTILINE)
_ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([^`]+)`")


def _role(match: re.Match[str]) -> str:
    name = match.group(2)
    if match.group(1):
        name = name.rsplit(".", 1)[-1]
    return f"`{name}`"


class NapoleonSections(griffe.Extension):
    """Rewrite each docstring's ``Example:`` heading and Sphinx roles."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: object) -> None:
        if obj.docstring is None:
            return
        value = _EXAMPLE.sub(r"\1Examples:", obj.docstring.value)
        value = _LITERAL.sub(r"\1:", value)
        obj.docstring.value = _ROLE.sub(_role, value)
