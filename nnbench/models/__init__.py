"""Models, found by name. Entries are imported lazily: listing them never imports TensorFlow."""

from nnbench.registry import Registry

MODELS = Registry("model")
MODELS.register(
    "naive_bayes",
    "nnbench.models.naive_bayes:NaiveBayes",
    "Naive Bayes on [0, 1] pixels (multinomial; bernoulli or gaussian by `variant`).",
)
MODELS.register(
    "lasso_logit",
    "nnbench.models.lasso_logit:LassoLogit",
    "L1-penalised multinomial logit (LASSO), scikit-learn saga solver.",
)
MODELS.register(
    "dense_nn",
    "nnbench.models.keras_nets:DenseNN",
    "Keras dense net: ReLU hidden layers (seed: 128-128-128), softmax output, Adam.",
)
MODELS.register(
    "cnn",
    "nnbench.models.keras_nets:CNN",
    "Keras CNN: conv 3x3 + max-pool blocks (seed: 64, 64), dense 128-128, softmax, Adam.",
)
