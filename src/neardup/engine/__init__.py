"""The local engine: a corpus read, sketched, matched and clustered on this machine, over
batches, with the functions of `neardup.core`."""
