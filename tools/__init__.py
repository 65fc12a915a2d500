"""Build tooling for パラメーター・ラボ: the MkDocs plugin and the plain modules it calls."""
