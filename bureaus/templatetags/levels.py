"""``{{ item.level|level_name:item.bureau_id }}``: a level as the item's bureau names it."""

from django import template

from bureaus.selectors import level_names

register = template.Library()


@register.filter
def level_name(level, bureau_id):
    return level_names(bureau_id).name(level)
