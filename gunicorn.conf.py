# Read by gunicorn from the folder it starts in (the Dockerfile's and docker-compose's commands, and
# bench/load.py). Environment variables override each setting for a machine of another size.
import os

# The access log hides the secrets some URLs carry (invitation and confirmation links, ?token=).
logger_class = "globalir.gunicorn_logging.SecretHidingLogger"

# Threads in few processes (one per core: the GIL lets one thread of a process run Python at a time)
# rather than many single-threaded processes. A request spends part of its time waiting on PostgreSQL
# and Redis, and a sign-in's password hashing (PBKDF2 in OpenSSL) releases the GIL: meanwhile the
# process's other threads serve pages, where a sync worker would be held whole for the 0.3 CPU-s of a
# sign-in. Each process also holds one copy of the code and of the per-process caches (translations,
# templates, the opportunity cards' local layer) instead of five. `make bench-load` measures both
# (`BENCH_ARGS="--worker-class sync --workers 5"`): the same CPU per request (27-33 ms gthread,
# 25-27 ms sync, on a machine too busy to compare latencies), and no failed request at 100 users with
# threads where 5 sync workers let sign-ins time out.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A slow client or a long PDF must not hold a thread for ever; keep-alive lets a browser reuse its
# connection for the page's next requests.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
keepalive = 5
