"""The programs the catalogue's images run."""
