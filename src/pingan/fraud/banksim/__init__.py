"""A bank or payment firm's stop-payment gateway, simulated: its own process, over HTTP."""
