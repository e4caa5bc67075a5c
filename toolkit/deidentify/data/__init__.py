"""Hand-written gazetteers for toolkit.deidentify (a package so that setuptools ships the .txt files)."""
