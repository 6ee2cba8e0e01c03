"""Retraining: a challenger for a model from its recent labelled traffic, registered in shadow.

- ``data``: the labelled traffic of a window, the hold-out, the champion's reference rows;
- ``search``: fitting XGBoost, optionally with an Optuna search;
- ``challenger``: the retrain's steps, from the champion's contract through the hold-out
  evaluation against it to the version prepared through the registry;
- ``jobs``: the job rows' lifecycle (queued → training → evaluating → registered | failed)
  and its events;
- ``runner``: the backend's thread that runs queued jobs, each in a child process;
- ``python -m app.retrain``: the command line (``--model`` runs one now, ``--job`` a queued one).
"""
