#!/usr/bin/env bash
# Regenerates requirements/dev.lock: every package the tests and benchmarks use, at one version,
# with hashes, for Python 3.11-3.13. Run it after changing pyproject.toml's dependencies or extras
# (needs uv: `pip install uv`). CI installs this file; it never resolves versions itself.
set -euo pipefail
cd "$(dirname "$0")/.."
uv pip compile pyproject.toml --extra dev --extra bench --universal --python-version 3.11 \
  --generate-hashes --no-emit-package jobsim --custom-compile-command "requirements/compile.sh" \
  --output-file requirements/dev.lock "$@"
