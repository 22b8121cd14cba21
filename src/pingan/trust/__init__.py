"""Trusted identity and electronic signatures (可信身份认证、电子签名), shared by services."""
