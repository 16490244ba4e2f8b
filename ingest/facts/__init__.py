"""Facts in French text, one module per kind: dates, amounts and numbers, places, people and
organisations, sentences. The fiches, the lexical index, the answerer and the chat-model guard all read
facts through these modules; where two of them need a fact written differently (a key figure is quoted
whole, a guard compares values), each pattern is named for its use, side by side in its kind's module."""
