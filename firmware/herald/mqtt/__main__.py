"""`python -m herald.mqtt` runs the MQTT client, as herald-mqtt does."""

from herald.mqtt.daemon import main

main()
