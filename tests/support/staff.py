"""What staff tests share: the staff password and a visit for records they create."""

from __future__ import annotations

from privacy.people.visits import Visit

PASSWORD = "correct horse battery staple 42"
VISIT = Visit(
    ip="203.0.113.7",
    user_agent="Mozilla/5.0 (X11; Linux x86_64)",
    page_url="https://leadgen.example/",
    referrer="https://search.example/?q=leads",
)
