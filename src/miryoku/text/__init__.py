"""Japanese text handling: normalisation, MeCab tokenization, prefecture gazetteer."""
