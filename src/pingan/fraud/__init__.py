"""Anti-fraud: stop-payment orders, bank gateways, money trail, mule networks."""
