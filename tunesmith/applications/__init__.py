"""Ready-made hypermodels for images, under keras-tuner's names and arguments.

* :class:`HyperResNet`: ResNet v1, v2 and ResNeXt of searched depth.
* :class:`HyperXception`: an Xception-style network of separable convolutions.
* :class:`HyperEfficientNet`: Keras' EfficientNet B0 to B7 under a searched top.
* :class:`HyperImageAugment`: image augmentations of searched strength.

Each is a :class:`tunesmith.HyperModel`: pass it to any tuner as ``hypermodel``.
The classifiers expect one-hot labels. Importing this package imports Keras.

Example (trains models, so not run as a doctest)::

    import tunesmith as kt

    hypermodel = kt.applications.HyperResNet(input_shape=(32, 32, 3), classes=10)
    tuner = kt.RandomSearch(hypermodel, objective="val_accuracy", max_trials=5)
    tuner.search(x, keras.utils.to_categorical(y, 10), epochs=3, validation_split=0.2)
"""

from __future__ import annotations

from tunesmith._compat_paths import lazy_attributes
from tunesmith.applications._augment import HyperImageAugment, RandAugment
from tunesmith.applications._efficientnet import HyperEfficientNet, WeightsUnavailableError
from tunesmith.applications._resnet import HyperResNet
from tunesmith.applications._xception import HyperXception

# keras-tuner's submodules (kt.applications.resnet, ...) are declared in
# tunesmith._compat_paths; this makes them attributes here too.
__getattr__, __dir__ = lazy_attributes(__name__)

__all__ = [
    "HyperEfficientNet",
    "HyperImageAugment",
    "HyperResNet",
    "HyperXception",
    "RandAugment",
    "WeightsUnavailableError",
]
