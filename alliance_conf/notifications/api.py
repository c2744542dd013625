from __future__ import annotations

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.notifications import operations
from alliance_conf.notifications.schemas import NotificationOut, NotificationQuery

api = ApiBlueprint("notifications_api", __name__)


@api.endpoint(
    "/notifications",
    "GET",
    roles=[],
    paginated=True,
    query=NotificationQuery,
    response=list[NotificationOut],
    summary="Your own notifications, newest first",
)
def list_my_notifications(query: NotificationQuery):
    """Only the notifications of the person the token belongs to; nobody sees anyone else's.
    Listing does not mark them read (the web page's "Mark all read" does)."""
    return operations.own_notifications(api_user(), unread_only=query.unread)
