"""Field limits, in one place: the columns' sizes, and what the forms, the API and the import accept."""
import re

from flask_babel import gettext as _

# Identifiers and numbers.
REF = 40  # an item's reference, e.g. NAP05-PREV-e-iv
REF_PATTERN = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9-]{{0,{REF - 1}}}$")
ID_MAX = 2**31 - 1  # the largest id or version an integer column holds on every database

# Catalogue text.
FRAMEWORK_CODE = 20
FRAMEWORK_NAME = 80
SECTION = 300
TITLE = 300
LOCATOR = 300
AGENCY_NAME = 200
AGENCY_SHORT_NAME = 60
SOURCE_DOCUMENT = 120
SOURCE_NAME = 120  # an imported file's name, as the history and the log keep it

# What users write.
EMAIL = 254
PERSON_NAME = 120
PASSWORD_MIN = 12
PASSWORD_MAX = 200
NOTE = 5000  # a progress report's note
COMMENT = 2000  # a reviewer's comment
ASSESSMENT_REASON = 1000  # why the rapporteur rates an item as it does: short, the evidence is elsewhere
COVERAGE_REASON = 300  # how an action addresses a recommendation: one line
LINK = 1000  # one evidence link
LINKS = 20  # links in one report
LINKS_TEXT = 4000  # the form's links box, one per line
UNIT = 120  # a figure's unit
INDICATOR_CODE = 40  # e.g. PROS-CONVICTIONS
PERIOD = 12  # a reporting period's code: 2026-Q4 or 2026
# A reporting period: a year, or a year's quarter.
PERIOD_PATTERN = r"^[0-9]{4}(-Q[1-4])?$"
TOKEN_NAME = 80
# A review cycle's year: from the first international reviews of trafficking (the 1990s) to next year.
FIRST_CYCLE = 1990
SEARCH = 200  # free-text search words
SEARCH_TERMS = 32  # words and phrases of one search; more are left out
SYNONYM = 200  # a word or phrase of the synonym list

# The audit log.
CLIENT_ADDRESS = 64  # an IPv6 address is at most 45 characters; longer (a proxy's odd header) is cut
AUDIT_SUBJECT = 200  # "user:12", "evidence:40", "file:<an import's name>"

# Pages of results.
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 200


def too_long(what: str, text: str | None, limit: int) -> str | None:
    """The refusal of a text over its limit, with both counts, or None: text is refused, never cut to fit."""
    length = len(text or "")
    if length <= limit:
        return None
    return _("%(what)s is %(length)s characters; the limit is %(limit)s.", what=what, length=f"{length:,}",
             limit=f"{limit:,}")


def shortened(text: str, limit: int, tail: int = 20) -> str:
    """A name the tracker keeps for reference (an uploaded file's), cut in the middle with a visible "…" when
    it would not fit: the start and the end (the extension) stay. Never for what a user writes."""
    if len(text) <= limit:
        return text
    tail = min(tail, limit // 2)
    return text[: limit - tail - 1] + "…" + text[len(text) - tail:]
