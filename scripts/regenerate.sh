#!/usr/bin/env bash
# Regenerate everything that follows from openapi/swagger.yaml.
#
#   scripts/regenerate.sh          convert + generate, then replace openapi/openapi3.yaml,
#                                  generated/gototraining_api and the facade's generated modules
#   scripts/regenerate.sh --check  convert + generate into a temp dir only and diff against the
#                                  committed files; exit 1 (printing the diff) if they differ
#
# Pipeline: swagger.yaml (Swagger 2.0) --swagger2openapi (npm, pinned in package-lock.json)-->
#           openapi3.yaml --openapi-python-client + ruff (pinned in scripts/requirements-gen.txt;
#           openapi/templates/ overrides some of its templates)-->
#           generated/gototraining_api (+ py.typed)
#           openapi3.yaml + openapi/facade.yaml --scripts/facade_codegen-->
#           facade/gototraining/{_generated,resources}/ (wholly generated; each file says DO NOT EDIT)
# Tools are installed on demand into .venv and node_modules (both git-ignored).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=write
case "${1:-}" in
  "") ;;
  --check) MODE=check ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

VENV="$ROOT/.venv"
REQS="$ROOT/scripts/requirements-gen.txt"
SWAGGER="$ROOT/openapi/swagger.yaml"
CONVERTED="$ROOT/openapi/openapi3.yaml"
GEN_CONFIG="$ROOT/openapi/generator-config.yaml"
# Templates that replace the generator's own (same file names): what the generated client sends
# is decided here, at generation time, never patched at run time.
GEN_TEMPLATES="$ROOT/openapi/templates"
PKG_NAME=gototraining_api
PKG_DIR="$ROOT/generated/$PKG_NAME"
FACADE_DIR="$ROOT/facade/gototraining"
# The packages scripts/facade_codegen writes below facade/gototraining, each wholly generated
# (scripts/facade_codegen/__main__.py: GENERATED_PACKAGES).
FACADE_PACKAGES=(_generated resources)

log() { echo "regenerate: $*" >&2; }

# --- (a) Python generation tools, exact pins -------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
  log "creating $VENV"
  python3 -m venv "$VENV"
fi
# Cheap check (~50 ms): are the exact `name==version` pins installed? Robust against other
# installs into the same venv (e.g. `make install`), unlike a stamp file alone.
if ! "$VENV/bin/python" - "$REQS" <<'PY'
import sys, re
from importlib.metadata import version, PackageNotFoundError
ok = True
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
    if not m:
        sys.exit(f"requirements-gen.txt: only exact pins are supported: {line!r}")
    try:
        ok &= version(m[1]) == m[2]
    except PackageNotFoundError:
        ok = False
sys.exit(0 if ok else 1)
PY
then
  log "installing $(basename "$REQS") into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
fi

# --- (b) Node tools from package-lock.json ---------------------------------------------------
LOCK_HASH="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
NPM_STAMP="$ROOT/node_modules/.regenerate-lock.sha256"
if [[ ! -x node_modules/.bin/swagger2openapi || "$(cat "$NPM_STAMP" 2>/dev/null)" != "$LOCK_HASH" ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$LOCK_HASH" > "$NPM_STAMP"
fi

# Our templates must still follow the pinned generator's own (a generator upgrade re-applies them).
"$VENV/bin/python" -m scripts.openapi_templates || { log "openapi/templates/ is stale"; exit 1; }

# --- (c) + (d) convert and generate into a fresh temp dir ------------------------------------
[[ -f "$SWAGGER" ]] || { log "missing $SWAGGER"; exit 1; }
WORK="$(mktemp -d "${TMPDIR:-/tmp}/regenerate.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

node_modules/.bin/swagger2openapi --yaml --outfile "$WORK/openapi3.yaml" "$SWAGGER" >&2

# Venv bin first on PATH so the post-hooks use the pinned ruff; no ruff cache in the output.
(
  cd "$WORK"
  PATH="$VENV/bin:$PATH" RUFF_NO_CACHE=true "$VENV/bin/openapi-python-client" generate \
    --path "$WORK/openapi3.yaml" \
    --config "$GEN_CONFIG" \
    --custom-template-path "$GEN_TEMPLATES" \
    --meta none \
    --output-path "$WORK/$PKG_NAME" \
    --fail-on-warning >&2
)
[[ -f "$WORK/$PKG_NAME/__init__.py" ]] || { log "generator produced no package"; exit 1; }
: > "$WORK/$PKG_NAME/py.typed"
# The converted spec ships inside the package too: the sandbox validates against it at run time,
# so an installed sandbox can never disagree with the client it was generated beside.
cp "$WORK/openapi3.yaml" "$WORK/$PKG_NAME/openapi.yaml"

# The facade's spec-driven modules (models + decoders, request builders, sync/async resources).
"$VENV/bin/python" -m scripts.facade_codegen --spec "$WORK/openapi3.yaml" \
  --mapping "$ROOT/openapi/facade.yaml" --facade "$FACADE_DIR" --out "$WORK/facade" >&2

# --- (e) compare or replace --------------------------------------------------------------------
if [[ "$MODE" == check ]]; then
  status=0
  if [[ ! -f "$CONVERTED" ]]; then
    echo "missing openapi/openapi3.yaml (run scripts/regenerate.sh)"; status=1
  elif ! diff -u --label openapi/openapi3.yaml --label "openapi/openapi3.yaml (regenerated)" \
         "$CONVERTED" "$WORK/openapi3.yaml"; then
    status=1
  fi
  if [[ ! -d "$PKG_DIR" ]]; then
    echo "missing generated/$PKG_NAME (run scripts/regenerate.sh)"; status=1
  elif ! diff -ru -x __pycache__ -x '*.pyc' "$PKG_DIR" "$WORK/$PKG_NAME"; then
    status=1
  fi
  for package in "${FACADE_PACKAGES[@]}"; do
    if [[ ! -d "$FACADE_DIR/$package" ]]; then
      echo "missing facade/gototraining/$package (run scripts/regenerate.sh)"; status=1
    elif ! diff -ru -x __pycache__ -x '*.pyc' "$FACADE_DIR/$package" "$WORK/facade/$package"; then
      status=1
    fi
  done
  if [[ $status -ne 0 ]]; then
    log "generated files are out of date: run scripts/regenerate.sh"
  fi
  exit $status
fi

cp "$WORK/openapi3.yaml" "$CONVERTED.tmp"
mv "$CONVERTED.tmp" "$CONVERTED"
mkdir -p "$ROOT/generated"
rm -rf "$PKG_DIR"
mv "$WORK/$PKG_NAME" "$PKG_DIR"
for package in "${FACADE_PACKAGES[@]}"; do
  rm -rf "${FACADE_DIR:?}/$package"
  mv "$WORK/facade/$package" "$FACADE_DIR/$package"
done
log "wrote openapi/openapi3.yaml, generated/$PKG_NAME and the facade's generated modules"
