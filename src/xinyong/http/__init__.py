"""What the JSON API (``xinyong.api``) and the portal (``xinyong.web``) share: dependencies, the access policy
and sessions, request limits, the mapping of errors, the views behind each page and its JSON twin, and the
application that assembles both. ``api`` and ``web`` import from here, never from each other."""
