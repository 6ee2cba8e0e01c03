"""The demo model: a card-fraud classifier on the synthetic transactions, registered like any upload.

``model`` trains it into the files a user would upload (an XGBoost JSON booster, a
reference table with its label, a schema document); ``python -m app.demo`` registers
them through the registry's own ``prepare`` and ``save``. This package and the default
model setting (``Settings.default_model``) are the only places the backend names it.
"""
