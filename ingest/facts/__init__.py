"""Instructions hidden in a document (prompt injection): how a sentence is read before the detector looks at it
(instruction_text), the wordings it knows (injection_forms) and the detector (instructions). The fiches leave such
sentences out, and the answerer never quotes one. The French-text tools they build on live in lang/."""
