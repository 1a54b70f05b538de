"""The city's names in the interface's language.

A city's data names its categories, districts and departments in Chinese (`name`) and, where it
gives them, in English (`name_en`). Pages and the citizen views show `local_name`: the English
name when the interface is English and there is one, else the city's own. What stays Chinese
whatever the interface: messages (rendered in LANGUAGE_CODE), exports, and the public API's
`name` fields (they gain `name_en` beside them instead).
"""

from django.utils.translation import get_language


def in_english() -> bool:
    return (get_language() or "").startswith("en")


class LocalName:
    """Mixin for models with `name` and `name_en` (blank where the city gave none)."""

    name: str
    name_en: str

    @property
    def local_name(self) -> str:
        return self.name_en if self.name_en and in_english() else self.name
