"""Operations: backups and restores, concurrent edits across processes."""
