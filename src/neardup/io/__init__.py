"""Reading records from files and in-memory tables, writing outputs, and the progress shown
while doing so. Imported as `from neardup.io import read`: within neardup, `import io` is still
the standard library's."""
