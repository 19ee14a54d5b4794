"""Leadership's official responses, response thresholds and response-time figures."""
