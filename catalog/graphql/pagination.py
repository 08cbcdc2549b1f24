"""Page sizes: the same rules for every list the API returns."""

from django.conf import settings

from config.errors import BadUserInput


def validated_page_size(size: int, *, argument: str) -> int:
    """Return `size` if it is a page size the API serves, else raise BAD_USER_INPUT."""
    maximum: int = settings.GRAPHQL_MAX_PAGE_SIZE
    if size < 0:
        raise BadUserInput(f"Argument '{argument}' must be a non-negative integer.", field=argument)
    if size > maximum:
        raise BadUserInput(
            f"Argument '{argument}' cannot be higher than {maximum}.", field=argument
        )
    return size
