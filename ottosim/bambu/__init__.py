"""Simulated Bambu Lab printers: a real TLS Mosquitto broker, a real vsftpd FTPS server and an
asyncio "brain" that behaves like the printer firmware on MQTT."""
