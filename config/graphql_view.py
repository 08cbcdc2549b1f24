from strawberry.django.views import AsyncGraphQLView


class CatalogGraphQLView(AsyncGraphQLView):
    pass
