"""Brand: what the product is called, as VAPIX clients read it."""

from herald.access import Level
from herald.params.tree import Group, Param
from herald.params.types import String

PRODUCT_NUMBER = "H1410"

GROUPS = [
    Group("Brand", (
        Param("Brand", String(), "Herald"),
        Param("ProdFullName", String(), f"Herald {PRODUCT_NUMBER} Network Mini Speaker"),
        Param("ProdNbr", String(), PRODUCT_NUMBER),
        Param("ProdShortName", String(), f"Herald {PRODUCT_NUMBER}"),
        Param("ProdType", String(), "Network Speaker"),
        Param("ProdVariant", String(), ""),
        Param("WebURL", String(), ""),
    ), read=Level.VIEWER, write=Level.ROOT),
]
