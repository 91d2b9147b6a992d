"""The intent classifier's offline side: its training corpus (dataset), fine-tuning (training) and
evaluation. The classifier service only loads and serves what this builds."""
