"""The MQTT client (herald-mqtt): the device's events to a broker."""
