# witlink task runner. `just --list` shows the recipes.

python := ".venv/bin/python"

# Run the test suite.
test *ARGS:
    {{python}} -m pytest {{ARGS}}

# ruff, then mypy --strict on the library and bindgen.
lint:
    {{python}} -m ruff check .
    {{python}} -m ruff format --check linker bindgen
    {{python}} -m mypy --strict linker bindgen

# Regenerate the host's own bindings of witlink:host (linker/host/bindings) from host.wit.
host-bindings:
    rm -rf linker/host/bindings
    {{python}} -m linker bindgen linker/data/host.wit --world extension --package bindings -o linker/host

# Build every test component (cached by content hash under build/components).
components:
    {{python}} test-components/componentbuild.py

# Benchmarks: medians and ratios against baselines measured in the same run.
bench *NAMES:
    {{python}} benchmarks/run.py {{NAMES}}

# The demo: two Python extensions linked and run as a checkpointed job over loopback HTTP.
demo:
    {{python}} examples/receipts_demo.py

# Differential check of the WIT parser against wasm-tools on N fresh wit-smith packages.
wit-diff N="100":
    {{python}} tests/witdiff.py {{N}} --optional

# Fuzz the input boundaries (WIT, wit-parser JSON, components, manifests, plans, CLI) with N
# seeded inputs; prints the leak and hang counts. `python tests/fuzzing.py --case json:17` replays one.
fuzz N="10000":
    {{python}} tests/fuzzing.py {{N}}
