"""herald-core: the asyncio daemon that hosts the device services.

It owns the hardware (through the HAL) and runs the services that must
react in real time: the audio engine now; the event engine, SNMP and SIP
join it later. Each service answers calls on the bus under its own name.
"""
