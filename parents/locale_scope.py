"""What the parents' own catalogues (parents/locale/<language>/) hold: the strings of the public pages.

The editors' pages are staff pages, in Dutch and English like the rest of the platform; only what a
parent reads needs every family language. ``makemessages`` is run inside parents/ with these ignored.
"""

STAFF_FILES = ["views_edit.py", "forms.py", "models.py", "admin.py", "apps.py", "demo.py", "services.py", "consent.py", "letters.py",
               "templates/parents/edit_*.html", "templates/parents/_status.html", "migrations/*"]  # fmt: skip
