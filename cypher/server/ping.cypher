// Is the local server answering at all (an auto-commit query, so an unavailable database fails at once).
RETURN 1
