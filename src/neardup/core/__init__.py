"""The matching core: normalize, furniture, sketch, keys (LSH), candidates, verify, cluster, and
the explanation of a pair (segment, align), plus the compiled kernel behind them.

Every rule that decides what is a copy lives here once, and the engines (`neardup.engine`,
`neardup.spark`), the index (`neardup.index`) and `neardup.compare` call it. The core imports
nothing of neardup but itself, `errors` and `options`.
"""
