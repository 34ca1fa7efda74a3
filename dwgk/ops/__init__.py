"""Operations: running dwgk on a developer's machine (`make run`, devrun.py) and backups."""
