"""Telling people: the reminders of what is due, notifications of events, the inbox and the
bell, e-mails and digests, their delivery by Celery, and the personal calendar feed. Above
partnerships in the graph: it reads partnerships, partnerships never imports it."""
