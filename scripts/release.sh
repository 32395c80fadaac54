#!/bin/sh
# The release step: run once per deployment, before the new web/worker/beat processes start
# (Procfile `release`, compose.yaml's `release` service, `make prod-local`, scripts/cluster.py).
#
#   check     manage.py check --deploy: refuses to go on with a production setting missing
#             (PORTAL_BASE_URL above all); warnings are printed, errors stop the release
#   migrate   manage.py migrate --noinput (migrations are written to run before the new code)
#   messages  compile the translations (locale/*.po) with Babel: no GNU gettext needed
#   static    manage.py collectstatic --noinput
#
# RELEASE_STEPS chooses (default: all four, in that order); the Dockerfile runs
# "messages static" at build time, and compose's release service "check migrate".
# PYTHON names the interpreter (default: python, i.e. the one first on PATH).
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
STEPS="${RELEASE_STEPS:-check migrate messages static}"

for step in $STEPS; do
  case "$step" in
    check)
      echo "release: check --deploy"
      "$PYTHON" manage.py check --deploy --fail-level ERROR
      ;;
    migrate)
      echo "release: migrate"
      "$PYTHON" manage.py migrate --noinput
      ;;
    messages)
      echo "release: compile messages"
      "$PYTHON" -m babel.messages.frontend compile -d locale -D django
      ;;
    static)
      echo "release: collectstatic"
      "$PYTHON" manage.py collectstatic --noinput --verbosity 0
      ;;
    *)
      echo "release: unknown step '$step' (check, migrate, messages, static)" >&2
      exit 2
      ;;
  esac
done
echo "release: done"
