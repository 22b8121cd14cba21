"""Detention video visits (公安监管场所视频会见): facilities, bookings, rules, the call."""
