#!/bin/sh
# Build Tandem's wheel from SOURCE and install it into a new virtual environment VENV with uv:
# the container image's Python environment (the Dockerfile runs this; so does its test).
set -eu
source_dir=${1:?usage: build-venv.sh SOURCE VENV}
venv=${2:?usage: build-venv.sh SOURCE VENV}
uv=${UV:-uv}
dist=$(mktemp -d)
trap 'rm -rf "$dist"' EXIT
"$uv" build --quiet --wheel --out-dir "$dist" "$source_dir"
"$uv" venv --quiet --python "${PYTHON:-python3}" "$venv"
"$uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" "$dist"/tandem-*.whl
