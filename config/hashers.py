"""Password hashing: Argon2id with OWASP's recommended memory and time costs.

Django's own Argon2 setting asks 100 MiB of memory per hash, with 2 passes over 8 lanes. A sync
gunicorn worker that checks one password jumps from ~85 MiB to ~190 MiB resident (measured with
`make bench`'s sign-in), close to the 200 MB a worker may use on a modest server, for every
worker that ever served a sign-in. OWASP's
Password Storage Cheat Sheet recommends Argon2id with 46 MiB, 1 pass and 1 lane as its first
configuration (it lists 19 MiB with 2 passes as equivalent). That is what we use.

Hashes made with other parameters (Django's, or older ones of ours) still verify, since the
parameters are read from the hash itself, and are rehashed with these at the next sign-in
(Django's `must_update`).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 46 * 1024  # KiB
    parallelism = 1
