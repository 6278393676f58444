# Read by gunicorn from the folder it starts in (the Dockerfile's and docker-compose's commands, and
# bench/load.py). Environment variables override each setting for a machine of another size.
import os

# The access log hides the secrets some URLs carry (invitation and confirmation links, ?token=).
logger_class = "globalir.gunicorn_logging.SecretHidingLogger"

# Threads in few processes rather than many single-threaded processes: a request spends part of its
# time waiting on PostgreSQL and Redis, during which a thread lets another request of the same process
# run, and each process holds one copy of the code, the per-process caches (translations, templates,
# the opportunity card cache's local layer) and its connections. Measured with `make bench-load` on
# 2 cores (see README "Running at scale"): 2 processes x 8 threads served 200 users with a lower p95
# than 5 sync workers. One process per core: the GIL lets one thread of a process run Python at a time.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("GUNICORN_WORKERS", os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS", 8))
# A slow client or a long PDF must not hold a thread for ever; keep-alive lets a browser reuse its
# connection for the page's next requests.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
keepalive = 5
