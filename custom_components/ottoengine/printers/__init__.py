"""The Home Assistant layer of the farm's Bambu Lab printers.

Printers are ``printer`` config subentries of the hub. ``PrintersManager`` runs one driver
client and one push-fed coordinator per subentry, listens for printers announcing themselves on
the LAN, raises repair issues when a printer needs the user, and serves the REST API and the
printer entities.
"""
