"""``make bench-peers``: timebank side by side with django-hordak and plain psycopg."""
