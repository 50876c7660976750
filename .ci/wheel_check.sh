#!/usr/bin/env bash
# The package as a user gets it: build the sdist and the wheel (the wheel from the
# sdist, as `python -m build` does), fail on any packaging warning, install the
# wheel with [keras,report] into a fresh virtual environment outside the repository, and
# use it there: `tunesmith --version`, a 2-trial Keras search, `tunesmith report`,
# and the dashboard's static files inside the installed package.
# Run: bash .ci/wheel_check.sh   (needs PyPI; versions from constraints.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PYTHON="${PYTHON:-python3}"
export KERAS_BACKEND="${KERAS_BACKEND:-jax}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tunesmith-wheel-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Build from a copy of the files git would commit (tracked or new, not ignored), so
# nothing is written into the checkout.
mkdir "$WORK/src"
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' file; do
    if [ -e "$file" ]; then printf '%s\0' "$file"; fi
done | xargs -0 cp --parents -t "$WORK/src"
"$PYTHON" -m venv "$WORK/build-env"
"$WORK/build-env/bin/pip" install --quiet -c constraints.txt build
(cd "$WORK/src" && "$WORK/build-env/bin/python" -m build --outdir "$WORK/dist" . ) \
    >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
# (setuptools' "byte-compiling is disabled" notes follow PYTHONDONTWRITEBYTECODE.)
if grep -n -i -E "warning|deprecat" "$WORK/build.log" | grep -v "byte-compiling is disabled"; then
    echo "wheel check: the build printed the warnings above" >&2
    exit 1
fi
tail -n 1 "$WORK/build.log"
WHEEL=$(echo "$WORK"/dist/tunesmith-*.whl)
for file in tunesmith/py.typed tunesmith/web/static/index.html tunesmith/web/static/report.js \
    tunesmith/web/static/vendor/echarts.min.js; do
    "$WORK/build-env/bin/python" -c "import sys, zipfile; \
names = zipfile.ZipFile(sys.argv[1]).namelist(); \
assert sys.argv[2] in names, sys.argv[2] + ' is not in the wheel'" "$WHEEL" "$file"
done

# A fresh environment, run from a folder outside the repository.
"$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --upgrade "pip>=23,<27"
"$WORK/venv/bin/pip" install --quiet -c constraints.txt "$WHEEL[keras,report]"
mkdir "$WORK/run" && cd "$WORK/run"
export TUNESMITH_CACHE_DIR="$WORK/run/cache"  # the compile cache, checked below
"$WORK/venv/bin/tunesmith" --version
"$WORK/venv/bin/python" - <<'PY'
import pathlib
import sys

import numpy as np

import tunesmith as kt

assert pathlib.Path(kt.__file__).is_relative_to(sys.prefix), kt.__file__  # the wheel's copy
import keras  # noqa: E402  (after tunesmith: it picks the backend)

rng = np.random.default_rng(0)
x = rng.normal(size=(64, 4)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("float32")


def build_model(hp):
    model = keras.Sequential([keras.Input(shape=(4,)),
                              keras.layers.Dense(hp.Int("units", 4, 16, step=4), activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


tuner = kt.RandomSearch(build_model, objective="val_accuracy", max_trials=2,
                        directory="runs", project_name="wheel_check", seed=0)
import warnings  # noqa: E402

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tuner.search(x, y, epochs=2, validation_split=0.25, verbose=0)
cache_warnings = [str(w.message) for w in caught if "compilation cache" in str(w.message)]
assert not cache_warnings, cache_warnings  # the compile cache works in a plain install
cached = [p for p in (pathlib.Path("cache") / "jax").rglob("*") if p.is_file()]
assert cached, "the compilation cache folder stayed empty"
trials = tuner.oracle.get_best_trials(2)
assert len(trials) == 2, trials
print(f"search: {len(trials)} trials on {keras.backend.backend()}, "
      f"best val_accuracy {trials[0].score:.3f}")
PY
"$WORK/venv/bin/tunesmith" report runs/wheel_check
test -s runs/wheel_check/report.html
# tunesmith.web's static folder, found without importing it (that needs the dashboard extra).
"$WORK/venv/bin/python" -c "import importlib.util, pathlib; \
static = pathlib.Path(importlib.util.find_spec('tunesmith.web').origin).parent / 'static'; \
missing = [n for n in ('index.html', 'dashboard.js', 'dashboard.css', 'charts.js', 'report.js', \
'vendor/echarts.min.js') if not (static / n).is_file()]; \
assert not missing, missing; print('dashboard files: installed')"
echo "wheel check: passed"
