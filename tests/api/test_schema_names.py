"""The OpenAPI document names each response and request shape once: two apps' schemas of the same class
name (a `PlanOut` of the plan library and one of the annual plan) would share one entry in it, and the
documentation and the fuzzing would check one app's answers against the other's shape."""

from ninja import Schema

from yingji.api.api import api


def _schemas(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schemas(sub)


def test_no_two_api_schemas_of_the_product_share_a_name():
    api.get_openapi_schema()  # every router imported and every shape registered
    seen: dict[str, str] = {}
    clashes = []
    for schema in _schemas(Schema):
        if not schema.__module__.startswith("yingji."):
            continue
        name, where = schema.__name__, f"{schema.__module__}.{schema.__qualname__}"
        if name in seen and seen[name] != where:
            clashes.append(f"{name}: {seen[name]} and {where}")
        seen.setdefault(name, where)
    assert not clashes, "rename one of each: " + "; ".join(clashes)


def test_the_document_has_a_component_for_each_shape_it_names():
    document = api.get_openapi_schema()
    assert "UnitScoreOut" in document["components"]["schemas"]
    assert (
        "AnnualPlanOut" in document["components"]["schemas"]
        and "PlanOut" in document["components"]["schemas"]
    )
