"""The event backbone: a transactional outbox, delivered in-process or over NATS JetStream."""
