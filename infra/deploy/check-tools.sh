#!/usr/bin/env bash
# Installs the tools that test/deploy/*.test.ts need to validate the deployment assets.
# Idempotent; meant for a fresh Debian (bookworm) machine, run as root.
#
#   promtool          from Debian's `prometheus` package (only the promtool binary is extracted;
#                     no Prometheus service is installed or started)
#   helm engine       PyPI `helm-python-sdk` (Helm's Go SDK as a shared library, driven by
#                     infra/deploy/tools/render-chart.py) — Helm itself is not packaged in Debian
#   kubernetes-validate  PyPI, validates rendered manifests against bundled Kubernetes schemas
#
# The compose-spec JSON schema comes from the npm package `dclint` (a devDependency, installed by
# `npm ci`), so it needs nothing here.
#
# Tools land in $RAGTIME_DEPLOY_TOOLS (default /opt/ragtime-deploy-tools): bin/promtool and venv/.
set -euo pipefail

TOOLS_DIR="${RAGTIME_DEPLOY_TOOLS:-/opt/ragtime-deploy-tools}"
HELM_PYTHON_SDK_VERSION="0.2.2"
KUBERNETES_VALIDATE_VERSION="1.37.0"

log() { printf '[check-tools] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "check-tools.sh must run as root (it uses apt-get)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq --no-install-recommends "$@"
}

mkdir -p "$TOOLS_DIR/bin"

# --- Python with venv (Debian's interpreter, not whatever is first on PATH) -------------------
PYTHON=/usr/bin/python3
if ! [ -x "$PYTHON" ] || ! "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  log "installing python3 and python3-venv"
  apt_install python3 python3-venv
fi

# --- promtool ----------------------------------------------------------------------------------
if ! "$TOOLS_DIR/bin/promtool" --version >/dev/null 2>&1; then
  log "extracting promtool from Debian's prometheus package"
  if [ "$apt_updated" -eq 0 ]; then apt-get update -qq; apt_updated=1; fi
  work="$(mktemp -d)"
  chmod 755 "$work"  # apt-get download runs as _apt
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download -qq prometheus && dpkg-deb -x prometheus_*.deb root)
  install -m 0755 "$work/root/usr/bin/promtool" "$TOOLS_DIR/bin/promtool"
fi
"$TOOLS_DIR/bin/promtool" --version | head -1

# --- Python tools: Helm engine and Kubernetes schema validator --------------------------------
VENV="$TOOLS_DIR/venv"
if ! [ -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if ! "$VENV/bin/python" - "$HELM_PYTHON_SDK_VERSION" "$KUBERNETES_VALIDATE_VERSION" <<'PY' >/dev/null 2>&1
import sys
from importlib.metadata import version
assert version("helm-python-sdk") == sys.argv[1]
assert version("kubernetes-validate") == sys.argv[2]
import helm_python, kubernetes_validate  # noqa: F401  (the native library loads on import)
PY
then
  log "installing helm-python-sdk==$HELM_PYTHON_SDK_VERSION kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    "helm-python-sdk==$HELM_PYTHON_SDK_VERSION" \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
fi
"$VENV/bin/python" -c 'from importlib.metadata import version as v; print("helm-python-sdk", v("helm-python-sdk")); print("kubernetes-validate", v("kubernetes-validate"))'
log "ok: tools in $TOOLS_DIR"
