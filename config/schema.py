import strawberry

@strawberry.type
class Query:
    hello: str = "x"

schema = strawberry.Schema(query=Query)
