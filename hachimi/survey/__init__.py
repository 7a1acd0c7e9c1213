"""External validity: personas answer questionnaire items as student agents (administer), are
scored per construct and cohort (score), and compared with human cohort means (compare, reference)."""
