"""Devices (设备): robots, drones, body cameras, radios, smart cars — registry, MQTT gateway,
live state and a fleet simulator."""
