"""Full-text search over the items: their documents (documents.py), the words a user types (query.py), and the
one service that matches, ranks and highlights them on SQLite or PostgreSQL (services.py).

The item list, the dashboard, the exports, what changed and the API all reach it through the item filters'
`q` (items/services.py: filter_clauses), so a search finds the same items wherever it is typed.
"""
