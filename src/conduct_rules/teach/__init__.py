"""Teaching: explanations, counterfactuals (what would permit), training exercises, stories."""
