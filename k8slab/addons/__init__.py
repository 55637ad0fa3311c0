"""Add-ons: what runs as ordinary pods but every cluster needs (CoreDNS)."""
