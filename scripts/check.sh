#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine, then run the whole suite.
#   - Debian's chromium (the HTML report is tested in a real headless browser)
#   - a virtual environment .venv with hublint and its test dependencies
#   - the real TensorFlow toolchains, each in its own venv under ~/.cache/hublint: tensorflow-cpu 2.15.1 +
#     tensorflow-hub 0.15.0 (TF1 Hub format publishers) and tensorflow 2.21 + Keras 3 + tf-keras (TF2
#     publishers): tests rebuild every test module with them and compare findings.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing chromium (Debian)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "== chromium is missing and cannot be installed here: the browser tests will be skipped" >&2
  fi
fi

echo "== installing hublint and its test dependencies into .venv"
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

export HUBLINT_REBUILD_MODULES="${HUBLINT_REBUILD_MODULES:-1}"
if [ "$HUBLINT_REBUILD_MODULES" = 1 ]; then
  echo "== installing the TensorFlow toolchains (TF 2.15.1 + hub 0.15.0; TF 2.21 + Keras 3) for the module tests"
  .venv/bin/python tests/modules/build.py --venv-only
fi

echo "== running the test suite"
exec .venv/bin/python -m pytest -n 2 --durations=10 "$@"
