"""Anti-fraud stop payment (紧急止付): orders, the bank's rule, a bank simulator and the client."""
