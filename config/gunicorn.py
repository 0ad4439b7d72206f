"""gunicorn settings for production: ``gunicorn config.wsgi -c config/gunicorn.py``.

gunicorn writes ``Server: gunicorn`` on every response and has no setting for it; the banner tells a scanner
what to try. This file replaces it with a neutral name. A reverse proxy in front should also drop it
(nginx: ``server_tokens off;`` and ``proxy_hide_header Server;``).
"""

import gunicorn.http.wsgi

gunicorn.http.wsgi.SERVER = "overstap"  # read by every gunicorn Response when it writes its headers

bind = "0.0.0.0:8000"
workers = 4
