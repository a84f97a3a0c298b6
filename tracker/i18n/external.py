"""The messages of WTForms and Flask-WTF that a form can show, listed so that `make translations-update` puts them
in the tracker's catalogue: WTForms' own catalogue has no Urdu. i18n.FormTranslations looks them up at validation
time; the error page looks up Flask-WTF's CSRF messages (its 400 page's description).

The texts are WTForms' msgids exactly (wtforms/locale/wtforms.pot, WTForms 3) and Flask-WTF's; a new version's
new messages show in English until they are added here.
"""
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

WTFORMS_MESSAGES = (
    _l("Invalid field name '%s'."),
    _l('Field must be equal to %(other_name)s.'),
    lazy_ngettext('Field must be at least %(min)d character long.',
                  'Field must be at least %(min)d characters long.', 1),
    lazy_ngettext('Field cannot be longer than %(max)d character.',
                  'Field cannot be longer than %(max)d characters.', 1),
    lazy_ngettext('Field must be exactly %(max)d character long.',
                  'Field must be exactly %(max)d characters long.', 1),
    _l('Field must be between %(min)d and %(max)d characters long.'),
    _l('Number must be at least %(min)s.'),
    _l('Number must be at most %(max)s.'),
    _l('Number must be between %(min)s and %(max)s.'),
    _l('Date must be at least %(min)s.'),
    _l('Date must be at most %(max)s.'),
    _l('Date must be between %(min)s and %(max)s.'),
    _l('This field is required.'),
    _l('Invalid input.'),
    _l('Invalid email address.'),
    _l('Invalid IP address.'),
    _l('Invalid Mac address.'),
    _l('Invalid URL.'),
    _l('Invalid UUID.'),
    _l('Invalid value, must be one of: %(values)s.'),
    _l("Invalid value, can't be any of: %(values)s."),
    _l('This field cannot be edited.'),
    _l('This field is disabled and cannot have a value.'),
    _l('Invalid CSRF Token.'),
    _l('CSRF token missing.'),
    _l('CSRF failed.'),
    _l('CSRF token expired.'),
    _l('Invalid Choice: could not coerce.'),
    _l('Choices cannot be None.'),
    _l('Not a valid choice.'),
    _l('Invalid choice(s): one or more data inputs could not be coerced.'),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
    _l('Not a valid datetime value.'),
    _l('Not a valid date value.'),
    _l('Not a valid time value.'),
    _l('Not a valid week value.'),
    _l('Not a valid integer value.'),
    _l('Not a valid decimal value.'),
    _l('Not a valid float value.'),
    # Flask-WTF's file fields.
    _l("File does not have an approved extension."),
)

# Flask-WTF's CSRF protection: a refused form's reason (the 400 page's description).
CSRF_MESSAGES = (
    _l("The CSRF token is missing."),
    _l("The CSRF session token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF tokens do not match."),
)
