"""HTTP pieces shared by the public pages of privacy and leads."""

from __future__ import annotations

from django.http import HttpResponseRedirect


class HttpResponseSeeOther(HttpResponseRedirect):
    """303 after a POST: reload or back never submits the form again."""

    status_code = 303
