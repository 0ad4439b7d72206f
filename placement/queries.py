def officer_summary(user: object) -> dict[str, object] | None:
    return None
