"""Coverage: which plans' actions address each recommendation, and the recommendations none addresses (gaps)."""
