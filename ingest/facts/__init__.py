"""Facts in French text, one module per kind: dates, amounts (and numbers), places, people (and
organisations), sentences; kinds says which kinds a sentence holds, words folds text for comparison.

The fiches, the lexical index, the answerer and the chat-model guard all read facts through these
modules. Where two readers need a fact written differently (a key figure is quoted whole, the guard
compares values), each pattern is named for its use, side by side in its kind's module, so that a
change to one is made knowingly."""
