"""System > MQTT: the page and the VAPIX MQTT client and event bridge APIs."""
