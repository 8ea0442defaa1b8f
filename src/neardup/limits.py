"""The limits of a service request, apart from the service: the CLI shows the defaults in its
help, and importing the service (its logging, sockets and HMAC) would slow every command's
start."""

#: Defaults of the request limits.
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_BATCH = 1000
MAX_K = 1000
#: The longest id a request may give.
MAX_ID = 4096
