"""The analysts' SQL (per-table queries, questions, views, DDL), installed as the package data of ``miryoku.sql``."""
