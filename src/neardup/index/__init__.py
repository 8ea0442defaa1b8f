"""The persistent index: sketches of documents in one SQLite file, queried with the rules of
`neardup.core` (`store` holds the file, `postings` and `bloom` its posting tables)."""
