"""Verify what clerk-edge forwards to a Python origin: `read(headers, secret_keys, encryption_key)`."""
from ._auth import SessionAuth
from ._reader import Auth, ReaderError, Request, read, secret_keys_from_env
from .middleware import ClerkEdgeASGI, ClerkEdgeWSGI, auth_from_environ

__all__ = ["Auth", "ReaderError", "Request", "SessionAuth", "read", "secret_keys_from_env",
           "ClerkEdgeASGI", "ClerkEdgeWSGI", "auth_from_environ"]
