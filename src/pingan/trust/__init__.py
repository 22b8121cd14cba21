"""Trust: signing what the platform issues, so that anyone can check it (电子签名)."""
