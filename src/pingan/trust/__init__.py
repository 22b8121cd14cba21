"""Trusted identity and electronic signatures (可信身份认证、电子签名): knowing who someone is and
signing what the platform issues so that anyone can check it; shared by the services."""
