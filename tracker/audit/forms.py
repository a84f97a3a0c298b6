"""The audit log's filters, read from the query string so that a filtered view can be bookmarked."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from .. import limits
from ..enums import AuditEventKind
from ..forms import strip
from .services import AuditFilters

DATE_MESSAGE = _l("is not a date (YYYY-MM-DD)")
EVENT_CODES = frozenset(kind.value for kind in AuditEventKind)


class AuditFilterForm(Form):
    """No CSRF token: a GET form that changes nothing. A value that makes no sense is dropped and named."""

    user = StringField(_l("User e-mail contains"), filters=[strip], validators=[
        Optional(), Length(max=limits.EMAIL, message=_l("has at most %(max)d characters"))])
    event = SelectField(_l("Event"), choices=[SelectChoice("", _l("All events")),
                                          *(SelectChoice(k.value, k.label) for k in AuditEventKind)],
                        validate_choice=False)
    date_from = DateField(_l("From"), validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    date_to = DateField(_l("To"), validators=[Optional()], invalid_value_message=DATE_MESSAGE)

    def validate_event(self, field):
        if field.data and field.data not in EVENT_CODES:
            raise ValidationError(_("is not an event the log records"))

    def validate_date_to(self, field):
        if field.data and self.date_from.data and not self.date_from.errors and field.data < self.date_from.data:
            raise ValidationError(_("is before “%(field)s”", field=self.date_from.label.text))

    def filters(self) -> AuditFilters:
        """The filters whose values make sense, and a sentence naming each of the others."""
        self.validate()
        problems = tuple(_("%(field)s %(value)s %(problem)s", field=field.label.text,
                           value=repr((field.raw_data or [""])[0][:40]), problem=error)
                         for field in self for error in field.errors)

        def valid(field):
            return None if field.errors else field.data

        return AuditFilters(user=valid(self.user) or "",
                            event=AuditEventKind(self.event.data) if valid(self.event) else None,
                            date_from=valid(self.date_from), date_to=valid(self.date_to), problems=problems)
