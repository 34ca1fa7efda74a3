"""Operations helpers: how dwgk is run on a developer's machine (`make run`)."""
