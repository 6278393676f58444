"""Links to threads, with unread counts, on other apps' pages (the volunteer's dashboard, the pipeline):
their templates load these tags, so that those apps never import this one."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_thread_links(context, dashboard):
    """The links of the volunteer's dashboard: each application's thread, and the group of each placement
    to come or under way. Two queries, however many."""
    applications = [*dashboard.offers, *dashboard.in_progress]
    placements = [*dashboard.upcoming, *dashboard.past]
    return selectors.thread_links(
        user=context["request"].user,
        application_ids=[a.pk for a in applications] + [p.application_id for p in placements],
        group_need_ids=[p.need_id for p in dashboard.upcoming],
    )


@register.simple_tag(takes_context=True)
def board_thread_links(context, board, need):
    """The links of a pipeline board: each application's thread, and the need's group. Two queries."""
    application_ids = [card.application.pk for column in board.columns for card in column.cards]
    return selectors.thread_links(
        user=context["request"].user, application_ids=application_ids, group_need_ids=[need.pk]
    )


@register.simple_tag(takes_context=True)
def application_thread_links(context, application):
    return selectors.thread_links(user=context["request"].user, application_ids=[application.pk])


@register.inclusion_tag("conversations/_thread_link.html")
def thread_link(links, kind, pk, label=""):
    """A link to a thread from `links` (the tags above), saying how many messages are unread."""
    return {"link": links.get((kind, pk)), "group": kind == "group", "label": label}
