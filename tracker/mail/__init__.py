"""E-mail: the SMTP client (smtp.py), sending one message (send.py), and whether mail goes out (status.py)."""
