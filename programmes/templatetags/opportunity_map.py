"""{% opportunity_map_panel %}: the world map of open needs on the home page (which organisations draws, below
programmes in the layers: a template may load this, its Python may not import it)."""

from django import template

from .. import world_map

register = template.Library()


@register.inclusion_tag("programmes/includes/world_map_panel.html")
def opportunity_map_panel():
    return {"map": world_map.opportunity_map()}
