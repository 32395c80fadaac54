"""gunicorn's settings for the `web` process (Procfile, Dockerfile, compose.yaml).

    gunicorn config.wsgi:application -c gunicorn.conf.py

Everything from the environment (docs/deployment.md):

- PORT (8000) and BIND_HOST (0.0.0.0): where to listen;
- WEB_CONCURRENCY: worker processes (2 × CPUs + 1 by default); GUNICORN_THREADS: threads per
  worker (4; gthread workers). Database connections: WEB_CONCURRENCY × GUNICORN_THREADS per
  node (see "Sizing" in docs/deployment.md);
- GUNICORN_TIMEOUT (30 s): a worker silent this long is killed and replaced;
  GUNICORN_GRACEFUL_TIMEOUT (30 s): on a restart, how long requests in flight may finish;
- GUNICORN_MAX_REQUESTS (1000): a worker is replaced after this many requests (bounds slow
  memory growth; 0 turns it off);
- FORWARDED_ALLOW_IPS: the proxies whose X-Forwarded-* headers gunicorn believes (read by
  gunicorn itself; 127.0.0.1 by default);
- LOG_FORMAT / LOG_LEVEL as for Django: gunicorn's own lines and the access log (which carries
  the X-Request-ID the application sends back) through config/logging.py's formatter;
  ACCESS_LOG=false turns the access log off (the application logs `request_finished` too).
"""

import multiprocessing
import os

from config import logging as portal_logging


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def _debug() -> bool:
    return os.environ.get("DEBUG", "false").lower() in ("1", "true", "yes", "on")


bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
# The workers' heartbeat files on a RAM disk where there is one (containers: /dev/shm), so a
# slow disk never makes gunicorn think a worker hung.
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"

errorlog = "-"
_access = os.environ.get("ACCESS_LOG", "true").lower() not in ("0", "false", "no", "off")
accesslog = "-" if _access else None
# Client, request line, status, bytes, duration in ms, and the application's request id.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'
_format = os.environ.get("LOG_FORMAT") or ("console" if _debug() else "json")
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = portal_logging.gunicorn_logconfig(_format, loglevel)
