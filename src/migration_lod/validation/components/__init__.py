"""The constraint components of SHACL Core, one module per group as the spec orders them, in one registry: a
shape's parameters select its components, and each component checks its constraint on all focus nodes.

Each check yields sh:ValidationResults; `failing` gives the focus nodes that do not conform (for shapes used
inside other shapes). A component that needs nested shapes asks the engine which value nodes conform.
"""

from migration_lod.validation.components import (
    cardinality,
    logical,
    other,
    property_pairs,
    shape_based,
    string,
    value_range,
    value_type,
)
from migration_lod.validation.components.base import Component

CORE: list[Component] = [
    *value_type.COMPONENTS, *cardinality.COMPONENTS, *value_range.COMPONENTS, *string.COMPONENTS,
    *property_pairs.COMPONENTS, *logical.COMPONENTS, *shape_based.COMPONENTS, *other.COMPONENTS,
]

__all__ = ["CORE", "Component"]
