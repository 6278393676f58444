"""Password hashing that yields the processor to page views.

Checking a password is slow on purpose (PBKDF2 with Django's iteration count: about a quarter of a second of
one core). A burst of sign-ins would otherwise take the cores every page view needs. So the hash is computed
in a small pool of threads of lowered scheduling priority (nice), one per core: the hash, its strength and
its format are Django's own; only who waits changes. When the cores are idle the hash runs at full speed;
under load, page views go first and the sign-in waits a little longer. The hashing itself runs in OpenSSL
without Python's global lock, so the waiting request thread costs nothing meanwhile.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.hashers import PBKDF2PasswordHasher

# How much lower than the web threads the hashing threads run (Linux nice: 0 is normal, 19 the lowest).
HASHING_NICENESS = 10

_pool: ThreadPoolExecutor | None = None
_pool_owner: int | None = None
_pool_lock = threading.Lock()


def _lower_own_priority() -> None:
    try:
        # On Linux a thread has a priority of its own, addressed by its thread id.
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)
    except (AttributeError, OSError):
        pass  # a platform without per-thread priorities: the pool still keeps hashing off the request thread


def _hashing_pool() -> ThreadPoolExecutor:
    """This process's pool (a forked web worker makes its own: threads do not survive a fork)."""
    global _pool, _pool_owner
    with _pool_lock:
        if _pool is None or _pool_owner != os.getpid():
            _pool = ThreadPoolExecutor(
                max_workers=os.cpu_count() or 1, thread_name_prefix="password-hashing", initializer=_lower_own_priority
            )
            _pool_owner = os.getpid()
        return _pool


class LowPriorityPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 (same algorithm name, iterations and stored form), computed in the low-priority
    pool. Its verify() and the upgrade of old hashes call encode(), so they go through the pool too."""

    def encode(self, password, salt, iterations=None):
        return _hashing_pool().submit(super().encode, password, salt, iterations).result()
