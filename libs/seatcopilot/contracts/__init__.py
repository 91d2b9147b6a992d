"""Generated code for protos/seatcopilot/<area>/v1 (`make protos`; `make check-protos` fails on drift).
Nothing here is written by hand."""
