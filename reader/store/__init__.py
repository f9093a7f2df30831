"""The database: records in TinyDB files, locking, backups and recovery from damage."""
