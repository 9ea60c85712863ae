"""The text functions as they were before ``miryoku.text.enrich``: the oracle the batch path is compared with.

Frozen copies of ``miryoku.text`` (normalize, tokenizer, english, gazetteer, products, taxonomy) at the
commit before the batch rewrite, reading the same package data. Not used by the product.
"""
