"""What each message says. Short enough for one SMS (70 Chinese characters
where possible); every text names the case number, reporter texts carry the link.

English msgids, rendered in the recipient's language (Chinese by default).
"""

from django.utils.translation import gettext_lazy as _

# kind → (subject, body). Placeholders: number, link, department, reason, into, due, note.
TEXTS = {
    "reporter.filed": (
        _("Case %(number)s filed"),
        _("Your report %(number)s has been filed and will be dispatched soon. %(link)s"),
    ),
    "reporter.rejected": (
        _("Report %(number)s not filed"),
        _("Your report %(number)s was not filed. Reason: %(reason)s. %(link)s"),
    ),
    "reporter.merged": (
        _("Report %(number)s merged"),
        _(
            "Your report %(number)s is the same problem as case %(into)s and is handled "
            "with it. %(link)s"
        ),
    ),
    "reporter.dispatched": (
        _("Case %(number)s dispatched"),
        _("Your report %(number)s has been sent to %(department)s for handling. %(link)s"),
    ),
    "reporter.resolved": (
        _("Case %(number)s handled"),
        _("%(department)s has handled your report %(number)s; it is being checked. %(link)s"),
    ),
    "reporter.closed": (
        _("Case %(number)s closed"),
        _("Your report %(number)s is closed. Please rate how it was handled: %(link)s"),
    ),
    "reporter.voided": (
        _("Case %(number)s voided"),
        _("Your report %(number)s was voided. Reason: %(reason)s. %(link)s"),
    ),
    "department.dispatched": (
        _("New case %(number)s"),
        _("New case %(number)s for %(department)s: %(what)s. Due %(due)s. %(link)s"),
    ),
    "department.rework": (
        _("Case %(number)s needs rework"),
        _("Case %(number)s failed verification and needs rework: %(note)s. Due %(due)s. %(link)s"),
    ),
    "department.urged": (
        _("Case %(number)s urged"),
        _("Case %(number)s has been urged by the centre: %(note)s. %(link)s"),
    ),
    "department.appeal_approved": (
        _("Appeal for case %(number)s approved"),
        _("The overdue mark of case %(number)s (due %(due)s) has been waived: %(note)s. %(link)s"),
    ),
    "department.appeal_denied": (
        _("Appeal for case %(number)s denied"),
        _("The appeal against the overdue mark of case %(number)s was denied: %(note)s. %(link)s"),
    ),
    "overdue": (
        _("Case %(number)s overdue"),
        _("Case %(number)s (%(department)s) is overdue since %(due)s. Please act now. %(link)s"),
    ),
}

# Long free text (a reason, a note) is cut so the message stays SMS-sized.
FREE_TEXT_LIMIT = 40
# An SMS body fits two concatenated segments (67 characters each in UCS-2); where the link is
# long (a long SITE_URL, the reporter's signed link) the free text gives way further.
SMS_MAX_CHARS = 134
# ... but never below this: a reason cut to nothing says nothing.
FREE_TEXT_MIN = 12
FREE_TEXT_FIELDS = ("reason", "note", "what")
