"""Compliance's offline side: the learned detector's training (detector), its evaluation on labelled lines
(evaluate) and on whole calls (call_eval). The compliance service only serves what this builds."""
