# Read by gunicorn from the folder it starts in (the Dockerfile's and docker-compose's commands).
# The access log hides the secrets some URLs carry (invitation and confirmation links, ?token=).
logger_class = "globalir.gunicorn_logging.SecretHidingLogger"
