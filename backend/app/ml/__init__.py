"""Model code that knows nothing of the database or HTTP: metrics at a threshold, XGBoost's
training parameters, and the tree walker that scores a few rows fast."""
