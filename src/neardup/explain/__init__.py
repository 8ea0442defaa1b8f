"""What a run found, shown to people: the HTML report (`report`, `templates/`) and the coloured
alignment of `neardup compare` in a terminal (`terminal`)."""
