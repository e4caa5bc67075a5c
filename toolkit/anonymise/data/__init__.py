"""Hand-written gazetteers for toolkit.anonymise.text (a package so that setuptools ships the .txt files)."""
