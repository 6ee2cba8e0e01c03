"""Retraining: a challenger for a model from its recent labelled traffic, registered in shadow.

- ``data``: the labelled traffic of a window, the hold-out, the original training data;
- ``train``: fitting (XGBoost, optionally an Optuna search), the hold-out evaluation
  against the champion, the version prepared through the registry;
- ``jobs``: the job rows' lifecycle (queued → training → evaluating → registered | failed)
  and its events;
- ``runner``: the backend's thread that runs queued jobs, each in a child process;
- ``python -m app.retrain``: the command line (``--model`` runs one now, ``--job`` a queued one).
"""
