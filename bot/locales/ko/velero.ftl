# (being built)
