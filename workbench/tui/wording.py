"""Small wording helpers for what the screens say."""

from __future__ import annotations


def plural(count: int, noun: str, many: str = "") -> str:
    """Return the count with the noun in the right number: "1 study", "2 studies".

    Args:
        count: how many.
        noun: the singular ("study", "dimension").
        many: the plural when it is not regular ("criteria").

    Returns:
        "<count> <noun or plural>".
    """
    if count == 1:
        return f"{count} {noun}"
    if not many:
        many = noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" \
            else noun + "s"
    return f"{count} {many}"


#: What `u` says when this screen has nothing of its own to take back.
NOTHING_TO_UNDO = ("Nothing to undo: nothing was saved on this screen since it opened. "
                   "u takes back only this screen's own saves, never a line saved by a "
                   "command such as workbench bulk or by someone else.")
