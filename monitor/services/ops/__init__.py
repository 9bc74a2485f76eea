"""Operations: key rotation, backups, health."""
