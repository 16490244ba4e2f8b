"""The language room: French text as every floor reads it, one implementation of each tool.

words (folding for comparison), tokens (the lexical index's tokens: stop words, elisions, stems), amounts
(numbers and euros), dates, sentences (and their shape: link, menu, heading), places, people (and spaCy's
named entities), kinds (which kinds of fact a sentence holds), dictionary (common French words), plural
(« 2 documents »). It imports nothing of the project: ingest, index, assistant, eval and ui build on it.

Where two readers need a fact written differently (a key figure is quoted whole, the guard compares values),
each pattern is named for its use, side by side in its kind's module, so that a change to one is made
knowingly."""
