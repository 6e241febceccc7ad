"""The gettext catalogues (``<zh_CN|en>/LC_MESSAGES/timebank.po`` and the compiled
``.mo`` shipped next to them); ``python -m timebank.locale`` maintains them (needs Babel,
a development dependency)."""
