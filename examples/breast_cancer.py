"""W1 — the breast-cancer MLP tuned by random search (what `make demo` runs).

    python examples/breast_cancer.py                 # scikit-learn's embedded copy
    python examples/breast_cancer.py --csv data.csv  # Kaggle's CSV

The hypermodel, data preparation and evaluation live in
``tunesmith/studies/breast_cancer.py`` so that ``tunesmith demo`` runs the same study.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "jax")

from tunesmith.studies.breast_cancer import main

if __name__ == "__main__":
    main()
